"""The one error type the lab raises for anything a reader can cause or fix."""


class LabError(ValueError):
    """A human sentence saying what went wrong with a checkpoint, a setting or a training run."""
