//! The `tribune` command: parse arguments, call the library, print what happened, and
//! exit with 0 (success), 1 (errors in the user's input) or 2 (usage errors).
#![allow(clippy::result_large_err)]

use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use tribune::diagnostics::{Diagnostic, Kind, Report};
use tribune::library::Library;
use tribune::project::Project;
use tribune::Format;

#[derive(Parser)]
#[command(name = "tribune", version, about = "Speeches in Markdown to a valid EPUB 3 and a print-ready PDF")]
struct Cli {
    /// The project folder (the one holding books/); default: the nearest one upwards from here.
    #[arg(long, global = true, value_name = "DIR")]
    project: Option<PathBuf>,
    /// Print only errors and warnings.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Colour in messages (auto: when stderr is a terminal and NO_COLOR is not set).
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    color: Color,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    /// The document model as JSON, the debugging view (<BOOK>.model.json).
    Model,
    /// The EPUB 3 for readers (<BOOK>.epub).
    Epub,
    /// The reading edition's PDF (<BOOK>.pdf).
    Pdf,
    /// The interior for a print shop: PDF/X with trim and bleed (<BOOK>-print.pdf).
    Print,
    /// The wrap-around cover with spine for a perfect-bound book (<BOOK>-cover.pdf).
    Cover,
    /// The interior imposed for saddle stitching, two pages a sheet side (<BOOK>-booklet.pdf).
    Booklet,
}

impl FormatArg {
    fn format(self, marks: bool) -> Format {
        match self {
            FormatArg::Model => Format::Model,
            FormatArg::Epub => Format::Epub,
            FormatArg::Pdf => Format::Pdf,
            FormatArg::Print => Format::Print { marks },
            FormatArg::Cover => Format::Cover { marks },
            FormatArg::Booklet => Format::Booklet,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Build books: BOOK is the name of books/<BOOK>.toml or a path to it; none builds all.
    Build {
        books: Vec<String>,
        /// The output folder (default: <project>/out).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// What to write; repeat for several.
        #[arg(long = "format", short = 'f', value_enum, value_name = "FORMAT")]
        formats: Vec<FormatArg>,
        /// Crop marks outside the bleed on the print edition and the cover.
        #[arg(long)]
        marks: bool,
    },
    /// Load and check everything, write nothing; reports every problem found.
    Check { books: Vec<String> },
    /// List the speeches of the library and the books with how many speeches each selects.
    List,
    /// Create a new project in DIR with a book, two speeches and the style files.
    New { dir: PathBuf },
}

struct Printer {
    color: bool,
    quiet: bool,
}

impl Printer {
    fn diagnostics(&self, report: &Report) {
        for d in &report.items {
            eprint!("{}", d.render(self.color));
            eprintln!();
        }
    }

    fn info(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{msg}");
        }
    }

    fn summary(&self, report: &Report, what: &str) {
        let (e, w) = (report.errors(), report.warnings());
        if e > 0 {
            eprintln!("{what}: {e} error{}, {w} warning{}", plural(e), plural(w));
        } else if w > 0 && !self.quiet {
            eprintln!("{what}: {w} warning{}", plural(w));
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn exit_for(d: &Diagnostic) -> ExitCode {
    if d.kind == Kind::Usage {
        ExitCode::from(2)
    } else {
        ExitCode::from(1)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        // https://no-color.org: a NO_COLOR that is set and not empty turns colour off.
        Color::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let p = Printer { color, quiet: cli.quiet };
    let fail = |d: Diagnostic| {
        eprint!("{}", d.render(color));
        exit_for(&d)
    };
    if let Command::New { dir } = &cli.command {
        return match tribune::scaffold::create(dir) {
            Ok(files) => {
                p.info(&format!(
                    "created {} with {} files; build it with: tribune build --project {}",
                    dir.display(),
                    files.len(),
                    dir.display()
                ));
                ExitCode::SUCCESS
            }
            Err(d) => fail(d),
        };
    }
    let project = match Project::locate(cli.project.as_deref()) {
        Ok(p) => p,
        Err(d) => return fail(d),
    };
    match cli.command {
        Command::New { .. } => ExitCode::SUCCESS,
        Command::Check { books } => match tribune::check(&project, &books) {
            Ok(report) => {
                p.diagnostics(&report);
                p.summary(&report, "check");
                if report.has_errors() {
                    ExitCode::from(1)
                } else {
                    p.info("check: no errors");
                    ExitCode::SUCCESS
                }
            }
            Err(d) => fail(d),
        },
        Command::Build { books, out, formats, marks } => {
            let mut formats: Vec<Format> = formats.into_iter().map(|f| f.format(marks)).collect();
            if formats.is_empty() {
                formats = tribune::DEFAULT_FORMATS.to_vec();
            }
            formats.sort();
            formats.dedup();
            let out = out.unwrap_or_else(|| project.default_out());
            match tribune::build(&project, &books, &out, &formats) {
                Ok((built, report)) => {
                    p.diagnostics(&report);
                    for b in &built {
                        for f in &b.written {
                            p.info(&format!("wrote {} ({} chapters, {} words)", f.display(), b.chapters, b.words));
                        }
                    }
                    p.summary(&report, "build");
                    if report.has_errors() {
                        eprintln!("nothing was written for a book with errors; earlier outputs are unchanged");
                        ExitCode::from(1)
                    } else {
                        ExitCode::SUCCESS
                    }
                }
                Err(d) => fail(d),
            }
        }
        Command::List => {
            let mut report = Report::default();
            let lib = Library::load(&project, &mut report);
            println!("{:<40} {:<10} {:<28} {:<6} {:>6}", "SPEECH", "DATE", "SPEAKER", "LANG", "WORDS");
            for s in lib.speeches.values() {
                let speaker = s.meta.speakers.join(", ");
                let lang = s.meta.language.as_deref().unwrap_or("-");
                println!(
                    "{:<40} {:<10} {:<28} {:<6} {:>6}",
                    s.id,
                    s.meta.date.to_string(),
                    clip(&speaker, 28),
                    lang,
                    s.words()
                );
            }
            println!();
            println!("{:<20} {:>8}  TITLE", "BOOK", "SPEECHES");
            for path in tribune::anthology::book_files(&project) {
                let mut r = Report::default();
                let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                match tribune::anthology::load(&project, &path, &mut r) {
                    Some(a) => {
                        let sel = tribune::anthology::select(&a, &lib, &mut r);
                        let n = sel.ids().count();
                        let count = if r.has_errors() { format!("{n}*") } else { n.to_string() };
                        println!("{:<20} {:>8}  {}", name, count, a.meta.title);
                    }
                    None => println!("{:<20} {:>8}  (cannot be read: run `tribune check {name}`)", name, "-"),
                }
            }
            p.diagnostics(&report);
            if report.has_errors() {
                eprintln!("some speeches cannot be read: run `tribune check` for all problems");
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}
