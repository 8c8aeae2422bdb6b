"""The one exception family the registration domain raises for bad input.

Every rule in this package raises a subclass of `InvalidInput` whose `str()` is a
sentence fit to show the registrant, so the API layer can turn any of them into a
field error without knowing which rule failed. It derives from `ValueError` because
that is what a bad value is; callers should still catch `InvalidInput` rather than
`ValueError`, which would also swallow programming errors.
"""


class InvalidInput(ValueError):
    """A value supplied from outside breaks a registration rule."""
