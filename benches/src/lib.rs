//! Shared helpers for wenku's benchmarks.
