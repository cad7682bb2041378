"""SiteSys benchmarks: floor under load, the bare ceiling, history and memory (see README.md)."""
