"""The pull path: listings with checkpoints, page upserts, the deletion sweep."""
