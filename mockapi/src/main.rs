//! `gemini-mock [--host 127.0.0.1] [--port 0] [--static DIR] [--image-scale N] [--require-key]`

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use gemini_mock::{app, Config};

const USAGE: &str = "usage: gemini-mock [--host 127.0.0.1] [--port 0] [--static DIR] \
                     [--image-scale N] [--require-key] [--quiet]";

struct Args {
    host: String,
    port: u16,
    config: Config,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut args = Args {
        host: "127.0.0.1".into(),
        port: 0,
        config: Config::default(),
    };
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--host" => args.host = value("--host")?,
            "--port" => {
                let v = value("--port")?;
                args.port = v.parse().map_err(|_| format!("bad --port: {v}"))?;
            }
            "--static" => args.config.static_dir = Some(PathBuf::from(value("--static")?)),
            "--image-scale" => {
                let v = value("--image-scale")?;
                let n: u32 = v.parse().map_err(|_| format!("bad --image-scale: {v}"))?;
                if n == 0 {
                    return Err("--image-scale must be at least 1".into());
                }
                args.config.image_scale = n;
            }
            "--require-key" => args.config.require_key = true,
            "--quiet" => args.config.log = false,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(Some(args))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(a)) => a,
        Ok(None) => {
            let _ = writeln!(std::io::stdout(), "{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("gemini-mock: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Some(dir) = &args.config.static_dir {
        if !dir.is_dir() {
            eprintln!("gemini-mock: --static {}: not a directory", dir.display());
            return ExitCode::from(2);
        }
    }
    let listener = match tokio::net::TcpListener::bind((args.host.as_str(), args.port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("gemini-mock: cannot bind {}:{}: {e}", args.host, args.port);
            return ExitCode::from(1);
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("gemini-mock: {e}");
            return ExitCode::from(1);
        }
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "gemini-mock listening on http://{addr}");
        let _ = out.flush();
    }
    if let Err(e) = axum::serve(listener, app(args.config)).await {
        eprintln!("gemini-mock: server error: {e}");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
