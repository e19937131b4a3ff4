"""Upsert and delete services behind the CRM records API (keyed by the CRM's external ids)."""
