//! Pipe-safe output: tables for people, JSON for programs.

use std::{
    io::{self, IsTerminal, Write},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use chrono::{DateTime, Local, Utc};
use comfy_table::{Attribute, Cell, ColumnConstraint, ContentArrangement, Table, presets};
use serde::Serialize;

use crate::failure::Failure;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables for people
    Table,
    /// One JSON document (one per line for streams), for `jq`
    Json,
}

/// Where and how results are printed.
#[derive(Debug, Clone)]
pub struct Out {
    pub format: Format,
    pub utc: bool,
    color: bool,
    terminal: bool,
    /// A terminal of at most 100 columns: tables use short ids and
    /// compact times, so rows do not wrap.
    narrow: bool,
}

impl Out {
    /// Table on a terminal, JSON otherwise, unless `format` says.
    pub fn new(format: Option<Format>, utc: bool) -> Self {
        let terminal = io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            format: format.unwrap_or(if terminal {
                Format::Table
            } else {
                Format::Json
            }),
            utc,
            color: terminal && !no_color,
            terminal,
            narrow: terminal && Table::new().width().is_some_and(|w| w <= 100),
        }
    }

    pub fn json(&self) -> bool {
        self.format == Format::Json
    }

    /// The one output path of a command's answer: `value` as one JSON
    /// document with `--format json`, else what `human` makes of it (a
    /// table, lines) from the same value.
    pub fn show(
        &self,
        value: &impl Serialize,
        human: impl FnOnce(&Out) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        if self.json() {
            self.document(value)?;
            Ok(())
        } else {
            human(self)
        }
    }

    /// One pretty JSON document.
    pub fn document(&self, value: &impl Serialize) -> io::Result<()> {
        let mut text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
        text.push('\n');
        write_stdout(&text)
    }

    /// One compact JSON document on its own line (streams).
    pub fn json_line(&self, value: &impl Serialize) -> io::Result<()> {
        let mut text = serde_json::to_string(value).map_err(io::Error::other)?;
        text.push('\n');
        write_stdout(&text)
    }

    /// A line of text.
    pub fn line(&self, text: &str) -> io::Result<()> {
        write_stdout(&format!("{text}\n"))
    }

    /// A table that fits the terminal.
    pub fn table(&self, header: &[&str], rows: Vec<Vec<String>>) -> io::Result<()> {
        let mut table = Table::new();
        table.load_preset(if self.terminal {
            presets::UTF8_FULL_CONDENSED
        } else {
            presets::ASCII_FULL_CONDENSED
        });
        if self.terminal {
            table.set_content_arrangement(ContentArrangement::Dynamic);
        }
        if !self.color {
            table.force_no_tty();
        }
        // Styled through the table's own attributes, so its width
        // measurement sees the text, not escape codes.
        table.set_header(header.iter().map(|h| {
            let cell = Cell::new(h);
            if self.color {
                cell.add_attribute(Attribute::Bold)
            } else {
                cell
            }
        }));
        // A column of single words (ids, usernames) is never wrapped when
        // another column has text that can wrap at its spaces: a UUID cut
        // in two cannot be copied.
        let one_word = |column: usize| {
            rows.iter().all(|row| {
                row.get(column)
                    .is_none_or(|cell| !cell.contains(char::is_whitespace))
            })
        };
        let atoms: Vec<bool> = (0..header.len()).map(one_word).collect();
        let keep_whole = atoms.contains(&false);
        for row in rows {
            table.add_row(row);
        }
        if keep_whole {
            for (column, atom) in atoms.iter().enumerate() {
                if *atom && let Some(column) = table.column_mut(column) {
                    column.set_constraint(ColumnConstraint::ContentWidth);
                }
            }
        }
        write_stdout(&format!("{table}\n"))
    }

    /// A time in local time with its offset, or UTC with `--utc`.
    pub fn time(&self, time: DateTime<Utc>) -> String {
        if self.utc {
            time.format("%Y-%m-%d %H:%M:%S UTC").to_string()
        } else {
            time.with_timezone(&Local)
                .format("%Y-%m-%d %H:%M:%S %:z")
                .to_string()
        }
    }

    /// A time in a table: compact (`11-22 01:02`) on a narrow terminal.
    pub fn time_in_table(&self, time: DateTime<Utc>) -> String {
        if !self.narrow {
            return self.time(time);
        }
        if self.utc {
            time.format("%m-%d %H:%M").to_string()
        } else {
            time.with_timezone(&Local).format("%m-%d %H:%M").to_string()
        }
    }

    /// An id in a table: its first 8 characters on a narrow terminal
    /// (`--format json` always has the whole id).
    pub fn id_in_table(&self, id: uuid::Uuid) -> String {
        let text = id.to_string();
        if self.narrow {
            text[..8].to_owned()
        } else {
            text
        }
    }

    /// `text` in a colour, when colours are on.
    pub fn paint(&self, text: &str, code: u8) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// Writes to stdout; a closed pipe (`| head -1`) ends the program quietly,
/// as a successful one.
pub fn write_stdout(text: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => other,
    }
}

/// A spinner on stderr while waiting for the network, only on a terminal.
/// Its line is short and written with a carriage return, and dropping it
/// erases the line: nothing is left behind, Ctrl-C included.
pub struct Spinner(Option<(Arc<AtomicBool>, std::thread::JoinHandle<()>)>);

impl Spinner {
    pub fn start(message: &str) -> Self {
        if !io::stderr().is_terminal() {
            return Self(None);
        }
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let message = message.to_owned();
        let ticker = std::thread::spawn(move || {
            const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
            let mut frame = 0;
            // A moment's grace: quick answers show no spinner at all.
            std::thread::sleep(std::time::Duration::from_millis(120));
            while !flag.load(Ordering::Relaxed) {
                let mut err = io::stderr().lock();
                let _ = write!(err, "\r{} {message}", FRAMES[frame % FRAMES.len()]);
                let _ = err.flush();
                drop(err);
                frame += 1;
                std::thread::sleep(std::time::Duration::from_millis(90));
            }
        });
        Self(Some((stop, ticker)))
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some((stop, ticker)) = self.0.take() {
            stop.store(true, Ordering::Relaxed);
            let _ = ticker.join();
            let mut err = io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}
