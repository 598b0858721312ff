//! `ace`: the ACE workspace on the command line. This is the only crate that opens sockets,
//! reads files or looks at the wall clock; every protocol decision is made by the sans-IO
//! library crates.

use clap::{Parser, Subcommand};

mod demo;
mod diag;
mod est;
mod keygen;
mod token;
mod udp;

/// ACE on the command line: a loopback demo, servers, a token decoder and a key generator.
#[derive(Parser)]
#[command(name = "ace", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Each subcommand lives in its own module with `pub struct Args` and `pub fn run(Args)`.
#[derive(Subcommand)]
enum Command {
    /// EST-coaps CA and server over DTLS 1.2 with client certificates (RFC 9148).
    EstServer(est::ServerArgs),
    /// EST-coaps client: cacerts, enroll, reenroll, serverkeygen (RFC 9148).
    Est(est::ClientArgs),
    /// Run AS, RS and client on loopback UDP and print every exchange (RFC 9200 flow).
    Demo(demo::Args),
    /// Make a COSE_Key (symmetric, P-256, Ed25519, X25519) and print it.
    Keygen(keygen::Args),
    /// Decode a CWT; with --key, verify or decrypt it.
    Token(token::Args),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result: Result<(), Box<dyn std::error::Error>> = match cli.command {
        Command::Demo(args) => demo::run(args),
        Command::EstServer(args) => {
            est::run_server(args).map_err(|e| e as Box<dyn std::error::Error>)
        }
        Command::Est(args) => est::run_client(args).map_err(|e| e as Box<dyn std::error::Error>),
        Command::Keygen(args) => keygen::run(args),
        Command::Token(args) => token::run(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
