//! What each step of the benchmark returns.

/// What a step of the benchmark returns: any error ends that step, with its message.
pub type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;
