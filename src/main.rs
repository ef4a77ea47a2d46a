//! The `tribune` command: parse arguments, call the library, print what happened, and
//! exit with 0 (success), 1 (errors in the user's input), 2 (usage errors) or 70 (an
//! internal error: a fault in Tribune, EX_SOFTWARE of sysexits.h).
#![allow(clippy::result_large_err)]

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tribune::diagnostics::{Diagnostic, Kind, Report};
use tribune::library::Library;
use tribune::messages;
use tribune::project::Project;
use tribune::Format;

/// The exit codes, as `--help` and the README list them.
const EXIT_CODES: &str = "Exit codes: 0 success, 1 errors in the input (speeches, books, styles), 2 usage errors \
(unknown option or book, no project found), 70 an internal error (a fault in Tribune: please report it).";

#[derive(Parser)]
#[command(
    name = "tribune",
    version,
    about = "Speeches in Markdown to a valid EPUB 3 and a print-ready PDF",
    after_help = EXIT_CODES
)]
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

/// How diagnostics and outputs are reported.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MessageFormat {
    /// Text for people, on standard error.
    Human,
    /// One JSON object a line on standard output, for editors and CI (see the README).
    Json,
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
    /// The web edition of all the books, with their EPUB and PDF to download (site/).
    Site,
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
            FormatArg::Site => Format::Site,
        }
    }
}

/// The print profiles `--profile` takes (see `[print] profile` in the README).
#[derive(Clone, Copy, ValueEnum)]
enum ProfileArg {
    /// Amazon KDP paperback.
    Kdp,
    /// IngramSpark paperback (PDF/X-1a:2001).
    Ingramspark,
    /// Lulu paperback.
    Lulu,
    /// BoD – Books on Demand paperback.
    Bod,
    /// A copy shop's saddle-stitched booklet.
    Copyshop,
    /// An offset print shop (the default).
    Offset,
}

impl ProfileArg {
    fn platform(self) -> tribune::Platform {
        use tribune::Platform as P;
        match self {
            ProfileArg::Kdp => P::Kdp,
            ProfileArg::Ingramspark => P::Ingramspark,
            ProfileArg::Lulu => P::Lulu,
            ProfileArg::Bod => P::Bod,
            ProfileArg::Copyshop => P::Copyshop,
            ProfileArg::Offset => P::Offset,
        }
    }
}

/// What `build` and `watch` build.
#[derive(Args)]
struct BuildArgs {
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
    /// `json`: diagnostics and the files written as JSON lines on standard output.
    #[arg(long, value_enum, value_name = "FMT", default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
}

impl BuildArgs {
    /// The formats asked for (the default ones when none), sorted as `build` writes them.
    fn formats(&self) -> Vec<Format> {
        let mut formats: Vec<Format> = self.formats.iter().map(|f| f.format(self.marks)).collect();
        if formats.is_empty() {
            formats = tribune::DEFAULT_FORMATS.to_vec();
        }
        // The site offers each book's EPUB and PDF: it builds them too.
        if formats.contains(&Format::Site) {
            formats.extend([Format::Epub, Format::Pdf]);
        }
        formats.sort();
        formats.dedup();
        formats
    }
}

#[derive(Subcommand)]
enum Command {
    /// Build books: BOOK is the name of books/<BOOK>.toml or a path to it; none builds all.
    Build(BuildArgs),
    /// Build, then build again whenever a file under books/, fonts/ or styles/ changes; Ctrl-C ends.
    Watch(BuildArgs),
    /// Load and check everything, write nothing; reports every problem found.
    Check {
        books: Vec<String>,
        /// `json`: diagnostics as JSON lines on standard output.
        #[arg(long, value_enum, value_name = "FMT", default_value_t = MessageFormat::Human)]
        message_format: MessageFormat,
    },
    /// List the speeches of the library and the books with how many speeches each selects.
    List,
    /// Create a new project in DIR with a book, two speeches and the style files.
    New { dir: PathBuf },
    /// Watch as `watch` does and serve a preview of BOOK (the only book when none is named) in the browser.
    Serve {
        book: Option<String>,
        /// The address to listen on; anything but loopback lets other machines see the preview.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// The port (0: any free one).
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// The output folder (default: <project>/out).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Build BOOK's print interior and cover and check them against its print profile, rule by rule (exit 1 on a failed rule).
    Preflight {
        book: Option<String>,
        /// The platform to check for, instead of the book's or style's `[print] profile`.
        #[arg(long, value_enum, value_name = "NAME")]
        profile: Option<ProfileArg>,
        /// The output folder (default: <project>/out); the report is <BOOK>-preflight.html there.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// `json`: diagnostics and each rule as JSON lines on standard output.
        #[arg(long, value_enum, value_name = "FMT", default_value_t = MessageFormat::Human)]
        message_format: MessageFormat,
    },
    /// Print a completion script for SHELL; e.g. `tribune completions bash > /etc/bash_completion.d/tribune`.
    Completions { shell: clap_complete::Shell },
}

struct Printer {
    color: bool,
    quiet: bool,
    /// Diagnostics and outputs as JSON lines on stdout (`--message-format json`).
    json: bool,
}

impl Printer {
    /// A progress bar for a build, when one may be shown: on a terminal, not with
    /// `--quiet`, not in JSON mode.
    fn bar(&self) -> Option<Arc<Bar>> {
        (!self.quiet && !self.json && std::io::stderr().is_terminal()).then(Bar::start)
    }

    fn diagnostics(&self, report: &Report) {
        for d in &report.items {
            if self.json {
                println!("{}", messages::diagnostic(d));
            } else {
                eprint!("{}", d.render(self.color));
                eprintln!();
            }
        }
    }

    /// The files a build wrote: a `wrote` line each, or their JSON messages.
    fn written(&self, built: &[tribune::Built]) {
        for b in built {
            for f in &b.written {
                if self.json {
                    println!("{}", messages::output(b, f));
                } else {
                    self.info(&format!(
                        "wrote {} ({} chapter{}, {} word{})",
                        f.path.display(),
                        b.chapters,
                        plural(b.chapters),
                        b.words,
                        plural(b.words)
                    ));
                }
            }
        }
    }

    /// One build of `watch`: its diagnostics, the files written, and one line with its time.
    fn rebuild(&self, rebuild: &tribune::watch::Rebuild, changed: &[PathBuf]) {
        let report = rebuild.report();
        self.diagnostics(&report);
        if let Ok((built, _)) = &rebuild.result {
            if self.json {
                self.written(built);
            }
        }
        let ms = rebuild.elapsed.as_millis();
        if self.json {
            println!("{}", messages::finished(&report, Some(ms)));
            return;
        }
        let why = match changed {
            [] => String::new(),
            [one] => format!(" after a change to {}", one.display()),
            [one, rest @ ..] => format!(" after changes to {} and {} more", one.display(), rest.len()),
        };
        let secs = rebuild.elapsed.as_secs_f64();
        if rebuild.ok() {
            let files: Vec<String> = match &rebuild.result {
                Ok((built, _)) => built.iter().flat_map(|b| &b.written).map(|w| w.path.display().to_string()).collect(),
                Err(_) => Vec::new(),
            };
            self.info(&format!("built in {secs:.2} s{why}: wrote {}", files.join(", ")));
        } else {
            let (e, w) = (report.errors(), report.warnings());
            eprintln!(
                "build failed in {secs:.2} s{why}: {e} error{}, {w} warning{}; the earlier outputs are unchanged",
                plural(e),
                plural(w)
            );
        }
    }

    /// The `finished` message of a command in JSON mode.
    fn finished(&self, report: &Report) {
        if self.json {
            println!("{}", messages::finished(report, None));
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

/// The progress bar of one build: drawn on standard error only once the build has taken
/// [`Bar::DELAY`], so that the quick builds of `watch` do not flicker.
struct Bar {
    bar: indicatif::ProgressBar,
    /// Set once the build is done; the bar then never shows.
    done: Mutex<bool>,
}

impl Bar {
    const DELAY: Duration = Duration::from_millis(500);

    fn start() -> Arc<Bar> {
        let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::hidden());
        bar.set_style(Bar::spinner());
        let me = Arc::new(Bar { bar, done: Mutex::new(false) });
        let later = Arc::downgrade(&me);
        std::thread::spawn(move || {
            std::thread::sleep(Bar::DELAY);
            let Some(me) = later.upgrade() else { return };
            let done = me.done.lock().unwrap_or_else(|p| p.into_inner());
            if !*done {
                me.bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                me.bar.enable_steady_tick(Duration::from_millis(120));
            }
        });
        me
    }

    fn spinner() -> indicatif::ProgressStyle {
        indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner())
    }

    /// Remove the bar before the build's messages are printed.
    fn finish(&self) {
        let mut done = self.done.lock().unwrap_or_else(|p| p.into_inner());
        *done = true;
        self.bar.finish_and_clear();
    }
}

impl tribune::Progress for Bar {
    fn stage(&self, what: &str) {
        self.bar.set_style(Bar::spinner());
        self.bar.set_length(0);
        self.bar.set_position(0);
        self.bar.set_message(what.to_string());
    }

    fn steps(&self, total: usize) {
        let style = indicatif::ProgressStyle::with_template("{msg} [{bar:32}] {pos}/{len} ({elapsed})")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        self.bar.set_style(style);
        self.bar.set_length(total as u64);
    }

    fn step(&self) {
        self.bar.inc(1);
    }
}

/// The bar as the library takes it.
fn progress(bar: &Option<Arc<Bar>>) -> Option<Arc<dyn tribune::Progress>> {
    bar.clone().map(|b| b as Arc<dyn tribune::Progress>)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The exit code for an error of `kind` (see `EXIT_CODES`).
fn code_for(kind: Kind) -> u8 {
    match kind {
        Kind::Usage => 2,
        // EX_SOFTWARE (sysexits.h): the program is at fault, not what it was given.
        Kind::Internal => 70,
        _ => 1,
    }
}

fn exit_for(d: &Diagnostic) -> ExitCode {
    ExitCode::from(code_for(d.kind))
}

/// The exit code for a run whose `report` has errors: 70 when one of them is internal
/// (whatever else went wrong, a fault to report), else 1.
fn exit_for_report(report: &Report) -> ExitCode {
    let internal = report.items.iter().any(|d| d.is_error() && d.kind == Kind::Internal);
    ExitCode::from(if internal { code_for(Kind::Internal) } else { 1 })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        // https://no-color.org: a NO_COLOR that is set and not empty turns colour off.
        Color::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let json = matches!(
        cli.command,
        Command::Build(BuildArgs { message_format: MessageFormat::Json, .. })
            | Command::Watch(BuildArgs { message_format: MessageFormat::Json, .. })
            | Command::Check { message_format: MessageFormat::Json, .. }
            | Command::Preflight { message_format: MessageFormat::Json, .. }
    );
    let p = Printer { color, quiet: cli.quiet, json };
    let fail = |d: Diagnostic| {
        if json {
            println!("{}", messages::diagnostic(&d));
            let mut r = Report::default();
            r.push(d.clone());
            println!("{}", messages::finished(&r, None));
        } else {
            eprint!("{}", d.render(color));
        }
        exit_for(&d)
    };
    if let Command::Completions { shell } = cli.command {
        let mut cmd = Cli::command();
        clap_complete::generate(shell, &mut cmd, "tribune", &mut std::io::stdout());
        return ExitCode::SUCCESS;
    }
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
        Command::New { .. } | Command::Completions { .. } => ExitCode::SUCCESS,
        Command::Check { books, .. } => match tribune::check(&project, &books) {
            Ok(report) => {
                p.diagnostics(&report);
                p.finished(&report);
                p.summary(&report, "check");
                if report.has_errors() {
                    exit_for_report(&report)
                } else {
                    p.info("check: no errors");
                    ExitCode::SUCCESS
                }
            }
            Err(d) => fail(d),
        },
        Command::Build(args) => {
            let formats = args.formats();
            let out = args.out.clone().unwrap_or_else(|| project.default_out());
            let bar = p.bar();
            let result = tribune::build_with(&project, &args.books, &out, &formats, None, progress(&bar));
            if let Some(b) = bar {
                b.finish();
            }
            match result {
                Ok((built, report)) => {
                    p.diagnostics(&report);
                    p.written(&built);
                    p.finished(&report);
                    p.summary(&report, "build");
                    if report.has_errors() {
                        eprintln!("nothing was written for a book with errors; earlier outputs are unchanged");
                        exit_for_report(&report)
                    } else {
                        ExitCode::SUCCESS
                    }
                }
                Err(d) => fail(d),
            }
        }
        Command::Serve { book, host, port, out } => serve(&p, &project, book, &host, port, out, fail),
        Command::Preflight { book, profile, out, .. } => {
            let out = out.unwrap_or_else(|| project.default_out());
            let names: Vec<String> = book.into_iter().collect();
            match tribune::preflight(&project, &names, &out, profile.map(ProfileArg::platform)) {
                Ok((built, checked, report)) => {
                    p.diagnostics(&report);
                    p.written(&built);
                    let mut failures = 0;
                    for c in &checked {
                        failures += c.preflight.failures();
                        if json {
                            for l in tribune::pdf::preflight::json_lines(&c.preflight, &c.html.display().to_string()) {
                                println!("{l}");
                            }
                        } else {
                            eprint!("{}", tribune::pdf::preflight::text(&c.preflight));
                            p.info(&format!("wrote {}", c.html.display()));
                        }
                    }
                    p.finished(&report);
                    p.summary(&report, "preflight");
                    if report.has_errors() {
                        eprintln!("the print files could not be built: nothing was checked");
                        exit_for_report(&report)
                    } else if failures > 0 {
                        ExitCode::from(1)
                    } else {
                        ExitCode::SUCCESS
                    }
                }
                Err(d) => fail(d),
            }
        }
        Command::Watch(args) => {
            let formats = args.formats();
            let out = args.out.clone().unwrap_or_else(|| project.default_out());
            let mut watch = match tribune::watch::Watch::new(&project, &out) {
                Ok(w) => w,
                Err(d) => return fail(d),
            };
            if let Err(d) = stop_on_ctrl_c(watch.stopper()) {
                return fail(d);
            }
            p.info(&format!(
                "watching {} for changes to books/, fonts/ and styles/; Ctrl-C ends",
                project.root().display()
            ));
            let mut changed = Vec::new();
            let cache = std::sync::Arc::new(tribune::incremental::Cache::new());
            loop {
                let bar = p.bar();
                let rebuild = tribune::watch::build(&project, &args.books, &out, &formats, &cache, progress(&bar));
                if let Some(b) = bar {
                    b.finish();
                }
                p.rebuild(&rebuild, &changed);
                match watch.wait() {
                    Some(c) => changed = c,
                    None => break,
                }
            }
            p.info("watch: stopped");
            ExitCode::SUCCESS
        }
        Command::List => {
            let mut report = Report::default();
            let lib = Library::load(&project, &mut report);
            println!("{:<40} {:<10} {:<28} {:<6} {:>6}", "SPEECH", "DATE", "SPEAKER", "LANG", "WORDS");
            for s in lib.speeches.values() {
                let speaker = s.meta.speakers.join(", ");
                let lang = s.meta.language.as_ref().map_or("-", |l| l.as_str());
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
                exit_for_report(&report)
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}

/// `tribune serve`: the watch loop for one book, each build handed to the preview server.
fn serve(
    p: &Printer,
    project: &Project,
    book: Option<String>,
    host: &str,
    port: u16,
    out: Option<PathBuf>,
    fail: impl Fn(Diagnostic) -> ExitCode,
) -> ExitCode {
    use std::net::ToSocketAddrs;
    use tribune::diagnostics::Kind;
    let names: Vec<String> = book.into_iter().collect();
    let paths = match tribune::book_paths(project, &names) {
        Ok(p) => p,
        Err(d) => return fail(d),
    };
    let stem = |p: &PathBuf| p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    if paths.len() != 1 {
        let all: Vec<String> = paths.iter().map(stem).collect();
        return fail(
            Diagnostic::error(Kind::Usage, "serve previews one book: name it")
                .with_hint(format!("the project's books: {}", all.join(", "))),
        );
    }
    let name = stem(&paths[0]);
    let names = vec![paths[0].display().to_string()];
    let out = out.unwrap_or_else(|| project.default_out());
    let formats = [Format::Epub, Format::Pdf];
    let addr = match (host, port).to_socket_addrs().map(|mut a| a.next()) {
        Ok(Some(a)) => a,
        _ => {
            return fail(
                Diagnostic::error(
                    Kind::Usage,
                    format!("cannot listen on `{host}`: not an address or a known host name"),
                )
                .with_hint("give an address such as 127.0.0.1 (the default) or ::1"),
            )
        }
    };
    if !addr.ip().is_loopback() {
        eprintln!(
            "warning: serving on {host} ({}), not on loopback: other machines on the network can read the preview",
            addr.ip()
        );
    }
    let mut watch = match tribune::watch::Watch::new(project, &out) {
        Ok(w) => w,
        Err(d) => return fail(d),
    };
    if let Err(d) = stop_on_ctrl_c(watch.stopper()) {
        return fail(d);
    }
    let preview = tribune::serve::Preview::new(&name);
    let bound = match preview.listen(addr) {
        Ok(b) => b,
        Err(e) => {
            return fail(
                Diagnostic::error(Kind::Usage, format!("cannot listen on {addr}: {e}"))
                    .with_hint("choose another port with --port (0 takes any free one)"),
            )
        }
    };
    eprintln!("serving the preview of {name} at http://{bound}/ ; Ctrl-C ends");
    let mut changed = Vec::new();
    let cache = std::sync::Arc::new(tribune::incremental::Cache::new());
    preview.attach(&cache);
    loop {
        let bar = p.bar();
        let rebuild = tribune::watch::build(project, &names, &out, &formats, &cache, progress(&bar));
        if let Some(b) = bar {
            b.finish();
        }
        let written: Vec<&tribune::Written> = match &rebuild.result {
            Ok((built, _)) => built.iter().flat_map(|b| &b.written).collect(),
            Err(_) => Vec::new(),
        };
        let file = |f: Format| written.iter().find(|w| w.format == f).map(|w| w.path.as_path());
        preview.update(&rebuild.report(), file(Format::Epub), file(Format::Pdf));
        p.rebuild(&rebuild, &changed);
        match watch.wait() {
            Some(c) => changed = c,
            None => break,
        }
    }
    p.info("serve: stopped");
    ExitCode::SUCCESS
}

/// Ctrl-C (and SIGTERM) stop `watch` once the build under way is done, so that no
/// output is left half renamed; a second Ctrl-C ends at once.
fn stop_on_ctrl_c(stop: tribune::watch::Stopper) -> Result<(), Diagnostic> {
    let mut asked = false;
    ctrlc::set_handler(move || {
        if asked {
            std::process::exit(130);
        }
        asked = true;
        stop.stop();
    })
    .map_err(|e| Diagnostic::error(tribune::diagnostics::Kind::Internal, format!("cannot catch Ctrl-C: {e}")))
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

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: [Kind; 9] = [
        Kind::Io,
        Kind::Encoding,
        Kind::Syntax,
        Kind::Value,
        Kind::Missing,
        Kind::Selection,
        Kind::Content,
        Kind::Usage,
        Kind::Internal,
    ];

    #[test]
    fn each_kind_has_its_exit_code() {
        for k in KINDS {
            let want = match k {
                Kind::Usage => 2,
                Kind::Internal => 70,
                _ => 1,
            };
            assert_eq!(code_for(k), want, "{k:?}");
        }
    }

    #[test]
    fn an_internal_error_decides_the_code_of_a_report() {
        let code = |kinds: &[Kind]| {
            let mut r = Report::default();
            for k in kinds {
                r.push(Diagnostic::error(*k, "x"));
            }
            r.push(Diagnostic::warning(Kind::Internal, "a warning counts for nothing"));
            exit_for_report(&r)
        };
        assert_eq!(code(&[Kind::Syntax, Kind::Missing]), ExitCode::from(1));
        assert_eq!(code(&[Kind::Syntax, Kind::Internal]), ExitCode::from(70));
        assert_eq!(code(&[Kind::Internal]), ExitCode::from(70));
    }

    #[test]
    fn completions_for_each_shell_name_every_subcommand() {
        use clap_complete::Shell;
        let subcommands: Vec<String> =
            Cli::command().get_subcommands().map(|c| c.get_name().to_string()).filter(|n| n != "help").collect();
        assert!(subcommands.len() >= 5, "{subcommands:?}");
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell] {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "tribune", &mut script);
            let script = String::from_utf8(script).expect("a script is text");
            for name in &subcommands {
                assert!(script.contains(name.as_str()), "{shell}: no `{name}` in\n{script}");
            }
            assert!(script.contains("message-format"), "{shell}: the options of subcommands are completed too");
        }
    }

    #[test]
    fn help_and_readme_list_every_exit_code() {
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains(EXIT_CODES), "{help}");
        let readme = include_str!("../README.md").split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(readme.contains(EXIT_CODES), "the README does not list the exit codes as `--help` does");
        for k in KINDS {
            assert!(EXIT_CODES.contains(&format!("{} ", code_for(k))), "{k:?}");
        }
    }
}
