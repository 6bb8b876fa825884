//! The `moneta` binary: reads settings, starts logging, runs the chosen
//! command. All wiring lives in the library (`moneta::Application`).

use moneta::{Application, Cli, Command, JobsCommand, shutdown, telemetry};

/// glibc's malloc was a tenth of the read path's CPU (many small
/// allocations across threads); mimalloc is faster at that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::load()?;
    let telemetry = telemetry::init(&cli.settings);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(cli.settings).await?;
            app.run_until(shutdown::signal()).await
        }
        Command::Migrate => moneta::migrate(&cli.settings).await,
        Command::Jobs {
            command: JobsCommand::Run { name },
        } => moneta::run_job(cli.settings, &name).await,
    };
    telemetry.shutdown();
    result
}
