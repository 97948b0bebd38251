"""The `tracefabric` command line (click); each command lives in its own module, loaded on use."""
