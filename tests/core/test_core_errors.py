import pytest

from syncoxide import errors


def all_error_classes() -> list[type[errors.SyncoxideError]]:
    found = []
    pending: list[type[errors.SyncoxideError]] = [errors.SyncoxideError]
    while pending:
        cls = pending.pop()
        if cls.__module__ == errors.__name__:  # the server may add its own leaves elsewhere
            found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_every_error_in_the_module_belongs_to_the_one_tree() -> None:
    declared = [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, Exception)
    ]
    assert declared, "errors.py declares no exceptions"
    assert all(issubclass(cls, errors.SyncoxideError) for cls in declared)


@pytest.mark.skipif(
    errors.__doc__ is None,
    reason="built without docstrings (the browser's bytecode); CPython checks",
)
def test_every_class_is_drawn_in_the_docstring() -> None:
    doc = errors.__doc__ or ""
    missing = [cls.__name__ for cls in all_error_classes() if cls.__name__ not in doc]
    assert missing == []


def test_codes_are_unique_and_stable_identifiers() -> None:
    codes = [cls.code for cls in all_error_classes()]
    assert len(codes) == len(set(codes))
    assert all(code.replace("_", "").isalnum() and code.islower() for code in codes)


def test_retryable_is_an_attribute_not_a_message() -> None:
    assert errors.TransportError("cut").retryable
    assert errors.PeerGoneError("gone").retryable
    assert errors.ProviderUnavailableError("503").retryable
    assert not errors.IntegrityError("bad tag").retryable
    assert not errors.RemoteProtocolError("bad frame").retryable


def test_local_and_remote_protocol_errors_are_apart() -> None:
    assert issubclass(errors.LocalProtocolError, errors.ProtocolError)
    assert issubclass(errors.RemoteProtocolError, errors.ProtocolError)
    assert not issubclass(errors.LocalProtocolError, errors.RemoteProtocolError)


def test_message_and_hint_are_both_shown() -> None:
    error = errors.ConfigError("The web build is missing.", hint="Run syncoxide build-web.")
    assert str(error) == "The web build is missing. Run syncoxide build-web."
    assert error.message == "The web build is missing."
    assert str(errors.NotFoundError("No such share.")) == "No such share."
