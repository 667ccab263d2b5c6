"""Every write and state change: `<entity>_<action>(*, ...)` functions (HackSoft style)."""
