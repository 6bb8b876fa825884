//! Logging and tracing. Structured `tracing` events (fixed messages with
//! fields) go to stdout, pretty or JSON; spans (HTTP requests, GraphQL
//! operations, SQL statements, Redis commands, jobs) are exported with
//! OpenTelemetry OTLP/HTTP when an endpoint is configured.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer as _};

use crate::config::{Environment, LogFormat, Settings};

/// Keeps the span exporter alive; [`Telemetry::shutdown`] flushes it.
#[derive(Debug, Default)]
#[must_use = "dropping it without shutdown loses the last spans"]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Exports the spans still buffered.
    pub fn shutdown(self) {
        if let Some(provider) = self.provider
            && let Err(error) = provider.shutdown()
        {
            tracing::warn!(%error, "span exporter did not shut down cleanly");
        }
    }
}

/// The format logs are written in: `auto` is JSON in production.
pub fn log_format(settings: &Settings) -> LogFormat {
    match (settings.log_format, settings.env) {
        (LogFormat::Auto, Environment::Production) => LogFormat::Json,
        (LogFormat::Auto, Environment::Dev) => LogFormat::Pretty,
        (format, _) => format,
    }
}

/// `<endpoint>/v1/traces`, as the OTLP spec derives it from the base
/// `OTEL_EXPORTER_OTLP_ENDPOINT`.
fn traces_url(endpoint: &str) -> String {
    format!("{}/v1/traces", endpoint.trim_end_matches('/'))
}

fn tracer_provider(
    endpoint: &str,
    service: &str,
) -> Result<SdkTracerProvider, opentelemetry_otlp::ExporterBuildError> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(traces_url(endpoint))
        .build()?;
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(
            Resource::builder()
                .with_service_name(service.to_owned())
                .build(),
        )
        .build())
}

/// Installs the global subscriber. A second call (tests) is a no-op.
pub fn init(settings: &Settings) -> Telemetry {
    let filter =
        EnvFilter::try_new(&settings.log_filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = match log_format(settings) {
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_filter(filter)
            .boxed(),
        LogFormat::Pretty | LogFormat::Auto => {
            tracing_subscriber::fmt::layer().with_filter(filter).boxed()
        }
    };
    let mut export_error = None;
    let provider = settings.otlp_endpoint.as_deref().and_then(|endpoint| {
        tracer_provider(endpoint, &settings.otel_service_name)
            .map_err(|e| export_error = Some(e))
            .ok()
    });
    // Spans are exported from INFO whatever the log filter says.
    let spans = provider.as_ref().map(|p| {
        tracing_opentelemetry::layer()
            .with_tracer(p.tracer("moneta"))
            .with_filter(LevelFilter::INFO)
    });
    let _ = tracing_subscriber::registry()
        .with(logs)
        .with(spans)
        .try_init();
    if let Some(error) = export_error {
        tracing::error!(%error, "span export disabled: the OTLP exporter could not be built");
    } else if let Some(endpoint) = &settings.otlp_endpoint {
        tracing::info!(url = %traces_url(endpoint), "exporting spans with OTLP/HTTP");
    }
    Telemetry { provider }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_traces_path_is_appended_to_the_base_endpoint() {
        assert_eq!(
            traces_url("http://collector:4318"),
            "http://collector:4318/v1/traces"
        );
        assert_eq!(
            traces_url("http://collector:4318/"),
            "http://collector:4318/v1/traces"
        );
    }

    #[test]
    fn auto_logs_are_json_in_production_only() {
        let mut settings = Settings::defaults();
        assert_eq!(log_format(&settings), LogFormat::Pretty);
        settings.env = Environment::Production;
        assert_eq!(log_format(&settings), LogFormat::Json);
        settings.log_format = LogFormat::Pretty;
        assert_eq!(log_format(&settings), LogFormat::Pretty);
    }
}
