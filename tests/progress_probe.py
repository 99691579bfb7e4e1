"""A probe plugin for tests/test_metrics_progress.py: says whether the progress plugin started."""


def pytest_terminal_summary(terminalreporter, config):  # type: ignore[no-untyped-def]
    started = config.pluginmanager.get_plugin("azurestack-progress")
    terminalreporter.write_line(f"progress: {'started' if started else 'none'}")
