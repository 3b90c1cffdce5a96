"""Static export of the public site (filled in below)."""


def export_on_change(slug):
    return None
