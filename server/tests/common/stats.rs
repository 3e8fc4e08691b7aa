//! Latency figures as the benchmarks print them.

use std::time::Duration;

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// `label: p50 …, p99 …, max … (n = …)`.
pub fn describe(label: &str, mut latencies: Vec<Duration>) {
    latencies.sort();
    println!(
        "  {label}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (n = {})",
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().unwrap().as_secs_f64() * 1e3,
        latencies.len()
    );
}
