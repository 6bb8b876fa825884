//! Job metrics: runs by job and outcome, how long they took, what the
//! retention jobs deleted, and the sync jobs dead-lettered.

use std::time::Duration;

use prometheus::{HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry};

#[derive(Debug, Clone)]
pub struct JobMetrics {
    runs: IntCounterVec,
    duration: HistogramVec,
    retention_deleted: IntCounterVec,
    dead_lettered: IntCounter,
}

impl JobMetrics {
    /// Creates the metrics and adds them to `registry`.
    pub fn register(registry: &Registry) -> Result<Self, prometheus::Error> {
        let metrics = Self::unregistered()?;
        registry.register(Box::new(metrics.runs.clone()))?;
        registry.register(Box::new(metrics.duration.clone()))?;
        registry.register(Box::new(metrics.retention_deleted.clone()))?;
        registry.register(Box::new(metrics.dead_lettered.clone()))?;
        Ok(metrics)
    }

    /// Metrics nobody scrapes (tests, one-off `jobs run`).
    pub fn unregistered() -> Result<Self, prometheus::Error> {
        Ok(Self {
            runs: IntCounterVec::new(
                Opts::new("jobs_total", "Jobs run, by job and outcome"),
                &["job", "outcome"],
            )?,
            duration: HistogramVec::new(
                HistogramOpts::new("job_duration_seconds", "Time a job took").buckets(vec![
                    0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
                ]),
                &["job"],
            )?,
            retention_deleted: IntCounterVec::new(
                Opts::new(
                    "retention_deleted_total",
                    "Rows the retention jobs deleted (or released), by job",
                ),
                &["job"],
            )?,
            dead_lettered: IntCounter::new(
                "jobs_dead_lettered_total",
                "Sync jobs moved to the dead letters after their last delivery failed",
            )?,
        })
    }

    /// Records one run of `job`; `outcome` is a fixed word (`ok`, `failed`, …).
    pub fn observe(&self, job: &str, outcome: &str, elapsed: Duration) {
        self.runs.with_label_values(&[job, outcome]).inc();
        self.duration
            .with_label_values(&[job])
            .observe(elapsed.as_secs_f64());
    }

    /// Counts `rows` deleted by the retention job `job`.
    pub fn retention_deleted(&self, job: &str, rows: u64) {
        self.retention_deleted
            .with_label_values(&[job])
            .inc_by(rows);
    }

    /// Counts a sync job moved to the dead letters.
    pub fn dead_lettered(&self) {
        self.dead_lettered.inc();
    }
}
