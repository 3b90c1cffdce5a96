"""Authoring: the admin screens and forms where authors write and revise fact sheets."""
