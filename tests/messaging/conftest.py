from tests.simulator.conftest import simulator  # noqa: F401  (the live simulator, for end-to-end checks)
