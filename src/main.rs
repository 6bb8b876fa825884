//! The `moneta` binary: reads settings, starts logging, runs the chosen
//! command. All wiring lives in the library (`moneta::Runtime`,
//! `moneta::Application`).

use moneta::{Application, Cli, Command, ConfigCommand, JobsCommand, shutdown, telemetry};

/// glibc's malloc was a tenth of the read path's CPU (many small
/// allocations across threads); mimalloc is faster at that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let loaded = Cli::load()?;
    match &loaded.cli.command {
        Some(Command::Config {
            command: ConfigCommand::Check,
        }) => {
            // Validated by `load`; what is left is to say what is in force.
            for setting in loaded.effective() {
                println!("{setting}");
            }
            println!("settings are valid");
            return Ok(());
        }
        Some(Command::Config {
            command: ConfigCommand::Variables,
        }) => {
            for variable in moneta::setting_variables() {
                println!("{variable}");
            }
            return Ok(());
        }
        Some(Command::Jobs {
            command: JobsCommand::DeadLetter { command },
        }) => {
            // No logging: the listing is the output.
            return moneta::dead_letters(&loaded.cli.settings, command).await;
        }
        _ => {}
    }
    let cli = loaded.cli;
    let telemetry = telemetry::init(&cli.settings);
    // Test builds only: the crash points FAILPOINTS arms.
    let _crash_points = moneta_core::crash::CrashPoints::from_env();
    let result = match cli.command.unwrap_or(Command::Serve) {
        // Boxed: the whole server's future inline in `main`'s would
        // overflow rustc's layout depth limit in a release build.
        Command::Serve => Box::pin(serve(cli.settings)).await,
        Command::Migrate => moneta::migrate(&cli.settings).await,
        Command::Seed(args) => Box::pin(moneta::seed(cli.settings, &args)).await,
        Command::Import(args) => Box::pin(moneta::import(cli.settings, &args)).await,
        Command::Jobs {
            command: JobsCommand::Run { name },
        } => Box::pin(moneta::run_job(cli.settings, &name)).await,
        Command::Jobs {
            command: JobsCommand::DeadLetter { .. },
        }
        | Command::Config { .. } => Ok(()),
    };
    telemetry.shutdown();
    result
}

async fn serve(settings: moneta_platform::config::Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    app.run_until(shutdown::signal()).await
}
