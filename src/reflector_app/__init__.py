"""The application layer: settings, the composition root, HTTP, workers and the CLI. It wires; it does not decide."""
