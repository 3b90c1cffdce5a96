"""Signals other apps listen to, so this app never imports them (see tests/test_import_graph.py)."""

from django.dispatch import Signal

# Sent by the draft editor after an author's save, inside its transaction, with `revision`, `user` and the
# submitted form `data`: the reviews app records the author's resolutions of reviewer comments from it.
# A receiver raising PermissionDenied rolls the whole save back (the admin answers 403).
draft_saved = Signal()


class DraftSaveRefused(Exception):
    """Raised by a `draft_saved` receiver for bad input: the editor rolls the save back and shows `message`."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
