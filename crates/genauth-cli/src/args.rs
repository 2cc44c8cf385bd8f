//! Flags of an operation subcommand, and the JSON arguments they make.

use clap::builder::{PossibleValuesParser, TypedValueParser, ValueParser};
use clap::{Arg, ArgAction, ArgMatches};
use serde_json::{Map, Value};

use crate::table::{Location, Op, Param, ParamKind};
use crate::{Failure, Io};

fn scalar_parser(kind: ParamKind) -> ValueParser {
    match kind {
        ParamKind::Str | ParamKind::Secret => {
            ValueParser::new(|s: &str| -> Result<Value, String> { Ok(Value::String(s.to_owned())) })
        }
        ParamKind::Int => ValueParser::new(|s: &str| -> Result<Value, String> {
            s.trim()
                .parse::<i64>()
                .map(Value::from)
                .map_err(|_| "not an integer".to_owned())
        }),
        ParamKind::Float => ValueParser::new(|s: &str| -> Result<Value, String> {
            s.trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| "not a finite number".to_owned())
        }),
        ParamKind::Bool => ValueParser::new(|s: &str| -> Result<Value, String> {
            match s {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                _ => Err("expected `true` or `false`".to_owned()),
            }
        }),
        ParamKind::Enum(values) => {
            ValueParser::new(PossibleValuesParser::new(values.iter().copied()).map(Value::String))
        }
        ParamKind::Json | ParamKind::List(_) => {
            ValueParser::new(|s: &str| -> Result<Value, String> {
                serde_json::from_str::<Value>(s).map_err(|e| format!("not valid JSON: {e}"))
            })
        }
    }
}

fn value_name(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::Str => "TEXT",
        ParamKind::Secret => "SECRET",
        ParamKind::Int => "INT",
        ParamKind::Float => "NUMBER",
        ParamKind::Bool => "BOOL",
        ParamKind::Enum(_) => "VALUE",
        ParamKind::Json => "JSON",
        ParamKind::List(k) => value_name(*k),
    }
}

/// The clap argument of a parameter.
pub fn param_arg(p: &Param) -> Arg {
    let (inner, list) = match p.kind {
        ParamKind::List(k) => (*k, true),
        k => (k, false),
    };
    let mut help = format!("`{}` in the {}", p.key, p.loc.word());
    if p.loc == Location::Path {
        help = format!("`{{{}}}` in the path", p.key);
    }
    if p.required {
        help.push_str(" (required)");
    }
    if list {
        help.push_str("; repeat the flag for each item");
    }
    if inner == ParamKind::Secret {
        help.push_str("; a secret");
    }
    // `--help` says what the rustdoc says of the field (type, place,
    // required, default, example), and how the flag takes it.
    let long = if p.help.is_empty() {
        help.clone()
    } else {
        let mut long = p.help.to_owned();
        if list {
            long.push_str("\nRepeat the flag for each item, or give one JSON list.");
        }
        if inner == ParamKind::Secret {
            long.push_str("\nA secret: --dry-run prints it as [redacted].");
        }
        long
    };
    let mut arg = Arg::new(p.flag)
        .long(p.flag)
        .value_name(value_name(p.kind))
        .value_parser(scalar_parser(inner))
        .help(help)
        .long_help(long);
    if inner != ParamKind::Bool {
        // Values may start with `-`: base64url codes and tokens, negative numbers.
        arg = arg.allow_hyphen_values(true);
    }
    if list {
        arg = arg.action(ArgAction::Append);
    } else if inner == ParamKind::Bool {
        arg = arg.num_args(0..=1).default_missing_value("true");
    }
    arg
}

fn read_data(spec: &str, io: &mut Io<'_>) -> Result<Map<String, Value>, Failure> {
    let (text, from) = if spec == "-" {
        let mut s = String::new();
        io.stdin
            .read_to_string(&mut s)
            .map_err(|e| Failure::usage(format!("cannot read --data from stdin: {e}")))?;
        (s, "stdin".to_owned())
    } else if let Some(path) = spec.strip_prefix('@') {
        let s = std::fs::read_to_string(path)
            .map_err(|e| Failure::usage(format!("cannot read the --data file `{path}`: {e}")))?;
        (s, format!("the file `{path}`"))
    } else {
        (spec.to_owned(), "--data".to_owned())
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Failure::usage(format!(
            "--data from {from} must be a JSON object"
        ))),
        Err(e) => Err(Failure::usage(format!(
            "--data from {from} is not valid JSON: {e}"
        ))),
    }
}

/// The JSON arguments of `op` from `--data` and the flags (flags win).
pub fn collect(op: &Op, m: &ArgMatches, io: &mut Io<'_>) -> Result<Map<String, Value>, Failure> {
    let mut args = match m.get_one::<String>("data") {
        Some(spec) => read_data(spec, io)?,
        None => Map::new(),
    };
    for p in op.params {
        let Some(values) = m.get_many::<Value>(p.flag) else {
            continue;
        };
        let mut values: Vec<Value> = values.cloned().collect();
        let value = if matches!(p.kind, ParamKind::List(_)) {
            // `--ids a --ids b`, or one JSON list `--ids '["a","b"]'`.
            match values.as_slice() {
                [Value::Array(_)] => values.remove(0),
                _ => Value::Array(values),
            }
        } else {
            match values.pop() {
                Some(v) => v,
                None => continue,
            }
        };
        args.insert(p.key.to_owned(), value);
    }
    Ok(args)
}
