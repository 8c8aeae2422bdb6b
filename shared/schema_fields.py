"""marshmallow fields every service's HTTP schemas share."""
from __future__ import annotations

import re
import unicodedata

from marshmallow import ValidationError, fields

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Text(fields.String):
    """A string from a person: trimmed, NFC-normalised, bounded, free of control characters.

    Blank optional text becomes None, so "" and a missing field mean the same.
    """

    def __init__(self, *, max_length: int, min_length: int = 1, multiline: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length
        self.min_length = min_length
        self.multiline = multiline

    def _deserialize(self, value, attr, data, **kwargs):
        text = unicodedata.normalize("NFC", super()._deserialize(value, attr, data, **kwargs)).strip()
        if not self.multiline and ("\n" in text or "\r" in text):
            raise ValidationError("Must be on one line.")
        if _CONTROL.search(text):
            raise ValidationError("Contains control characters.")
        if not text:
            if self.required or not self.allow_none:
                raise ValidationError("Must not be blank.")
            return None
        if len(text) < self.min_length:
            raise ValidationError(f"Must be at least {self.min_length} characters.")
        if len(text) > self.max_length:
            raise ValidationError(f"Must be at most {self.max_length} characters.")
        return text
