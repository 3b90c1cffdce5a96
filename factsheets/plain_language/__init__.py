"""Plain language: reading grades, the glossary of jargon, and the aids shown beside a version."""
