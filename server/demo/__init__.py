"""Believable demo data for a trades business."""
