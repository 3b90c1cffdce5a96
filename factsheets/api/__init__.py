"""The public, read-only JSON API (DESIGN.md "JSON API"): published content only."""
