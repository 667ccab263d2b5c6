"""Clienteling (issue 19): advisors' long-term relationships with customers."""
