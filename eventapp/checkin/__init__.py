"""Badges and on-site check-in: badge codes, badge printing, checkpoints and scans."""
