//! Language-aware typography for the document model: straight quotes become the quotation marks
//! of the text's language, hyphens and dots become dashes and ellipses, and no-break spaces keep
//! abbreviations and units with their words. Applied once to the model, so EPUB and PDF agree.

use crate::lang::Lang;

#[rustfmt::skip]
mod cldr;

/// One run of text inside a block (a paragraph, heading, list item, table cell...). Runs are
/// given in reading order; state (open quotes, previous character) carries across runs, so
/// `"*emphasised*"` — a quote in one run, the word in the next — pairs correctly.
#[derive(Debug)]
pub(crate) struct TextRun<'a> {
    pub text: &'a mut String,
    /// Inline code: not changed, but its characters count as context (like letters).
    pub verbatim: bool,
}

/// Apply the typography of `lang` (such as `de`, `de-CH`, `en-GB`, `fr`, `ru`, `kk`) to the
/// runs of one block. Each block starts fresh (no quote state carries between blocks).
pub(crate) fn apply(lang: &Lang, runs: &mut [TextRun<'_>]) {
    apply_with(lang, runs, State::run);
}

/// The signature of [`State::run`], so tests can apply a plainer loop and compare.
type RunFn = fn(&mut State, &str, Option<char>, &mut [TextRun<'_>]);

fn apply_with(lang: &Lang, runs: &mut [TextRun<'_>], run: RunFn) {
    let mut state = State::new(Style::for_lang(lang));
    for idx in 0..runs.len() {
        if runs[idx].text.is_empty() {
            continue;
        }
        if runs[idx].verbatim {
            state.verbatim();
            continue;
        }
        let next_run = first_char(&runs[idx + 1..]);
        let (earlier, rest) = runs.split_at_mut(idx);
        let text = &mut *rest[0].text;
        state.out = String::with_capacity(text.len() + 8);
        run(&mut state, text.as_str(), next_run, earlier);
        std::mem::swap(text, &mut state.out);
        if !text.is_empty() {
            state.prev_run = Some(idx);
        }
    }
}

/// Convenience for one plain string (tests, titles, metadata).
pub(crate) fn apply_str(lang: &Lang, text: &str) -> String {
    let mut owned = text.to_owned();
    apply(lang, &mut [TextRun { text: &mut owned, verbatim: false }]);
    owned
}

const NBSP: char = '\u{a0}';
const NNBSP: char = '\u{202f}';

/// What the neighbours of inline code see: code reads like a word, so a quote after it closes
/// and an apostrophe next to it stays an apostrophe.
const VERBATIM_CONTEXT: char = 'x';

/// How [`State::plain_len`] sees an ASCII byte other than a letter: what it may start, or
/// what it makes of the next character's context.
mod ascii {
    pub(super) const OTHER: u8 = 0;
    pub(super) const DIGIT: u8 = 1;
    /// The space a unit may follow.
    pub(super) const SPACE: u8 = 2;
    /// The other white space and the brackets after which a word starts.
    pub(super) const BREAK: u8 = 3;
    pub(super) const DOT: u8 = 4;
    pub(super) const HYPHEN: u8 = 5;
    pub(super) const QUOTE: u8 = 6;
    /// `; : ! ?`, which French spaces.
    pub(super) const FRENCH: u8 = 7;
    pub(super) const CLASSES: [u8; 128] = {
        let mut t = [OTHER; 128];
        let mut b = 0;
        while b < 128 {
            let c = b as u8;
            t[b] = match c {
                b'0'..=b'9' => DIGIT,
                b' ' => SPACE,
                // `char::is_whitespace` of ASCII, and `(`, `[`, `{` as in `State::at_word_start`.
                b'\t'..=b'\r' | b'(' | b'[' | b'{' => BREAK,
                b'.' => DOT,
                b'-' => HYPHEN,
                b'"' | b'\'' => QUOTE,
                b';' | b':' | b'!' | b'?' => FRENCH,
                _ => OTHER,
            };
            b += 1;
        }
        t
    };
}

/// Deeper nesting than this is not real prose; further quotes still get glyphs, just unpaired.
const MAX_DEPTH: usize = 16;

/// Units that stay on the line of the number before them. A unit only matches as a whole word,
/// so `m` does not match `mal`; `Mio` also covers `Mio.`.
const UNITS: &[&str] = &[
    "%",
    "‰",
    "€",
    "$",
    "£",
    "¥",
    "₽",
    "₸",
    "°C",
    "°F",
    "°",
    "Euro",
    "EUR",
    "Cent",
    "Dollar",
    "USD",
    "CHF",
    "Franken",
    "Rubel",
    "Tenge",
    "euros",
    "dollars",
    "Prozent",
    "Grad",
    "Uhr",
    "Mio",
    "Mrd",
    "Tsd",
    "Millionen",
    "Milliarden",
    "million",
    "millions",
    "billion",
    "billions",
    "milliards",
    "percent",
    "km",
    "m",
    "cm",
    "mm",
    "km²",
    "m²",
    "m³",
    "ha",
    "kg",
    "g",
    "mg",
    "t",
    "l",
    "ml",
    "h",
    "min",
    "s",
    "ms",
    "kW",
    "MW",
    "GW",
    "kWh",
    "MWh",
    "GWh",
    "TWh",
    "Hz",
    "dB",
    "км",
    "м",
    "см",
    "мм",
    "кг",
    "г",
    "т",
    "ч",
    "мин",
    "с",
    "руб",
    "тыс",
    "млн",
    "млрд",
    "тенге",
    // Currencies and words of the other languages with strings.
    "zł",
    "Kč",
    "Sk",
    "Ft",
    "kr",
    "lei",
    "TL",
    "₺",
    "₴",
    "грн",
    "лв",
    "₪",
    "procent",
    "proc",
];

/// A space inside an abbreviation (`z. B.`) also matches an already narrow or no-break space,
/// which keeps a second pass from seeing anything new.
static DE_ABBREVIATIONS: Abbreviations = Abbreviations::new(&[
    "z. B.", "d. h.", "u. a.", "s. o.", "v. a.", "sog.", "Nr.", "S.", "bzw.", "ca.", "vgl.", "Dr.", "Prof.", "Hr.",
    "Fr.", "St.", "Abs.", "Art.",
]);
static EN_ABBREVIATIONS: Abbreviations =
    Abbreviations::new(&["Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "St.", "p.", "pp.", "No.", "e.g.", "i.e.", "vs."]);
static FR_ABBREVIATIONS: Abbreviations = Abbreviations::new(&["M.", "Mme", "Mlle", "Dr", "p.", "n°"]);
static RU_ABBREVIATIONS: Abbreviations =
    Abbreviations::new(&["т. е.", "т. д.", "т. п.", "г.", "гг.", "им.", "ул.", "с."]);
static NO_ABBREVIATIONS: Abbreviations = Abbreviations::new(&[]);
/// Czech and Slovak one-letter prepositions and conjunctions, which must not end a line
/// (ČSN 01 6910, STN 01 6910): matched like an abbreviation, they take the no-break space after them.
static CS_SK_ONE_LETTER: Abbreviations =
    Abbreviations::new(&["a", "i", "k", "o", "s", "u", "v", "z", "A", "I", "K", "O", "S", "U", "V", "Z"]);
/// Polish one-letter words that must not end a line.
static PL_ONE_LETTER: Abbreviations = Abbreviations::new(&["a", "i", "o", "u", "w", "z", "A", "I", "O", "U", "W", "Z"]);

/// A language's abbreviations, indexed by their first two bytes: every word start asks
/// whether an abbreviation begins there, and almost every word differs from all of them there.
struct Abbreviations {
    list: &'static [&'static str],
    /// Bit `k` of entry `b` is set when `list[k]` begins with the byte `b`.
    by_first: [u32; 256],
    /// Bit `k` of entry `b` is set when text whose second byte is `b` may match `list[k]`: its
    /// own second byte, the first byte of any space a space there matches, and after an
    /// abbreviation of one byte the first byte of the space that must follow.
    by_second: [u32; 256],
}

impl Abbreviations {
    const fn new(list: &'static [&'static str]) -> Abbreviations {
        assert!(list.len() <= 32, "more abbreviations than bits in the index");
        let mut by_first = [0u32; 256];
        let mut by_second = [0u32; 256];
        let mut k = 0;
        while k < list.len() {
            let bytes = list[k].as_bytes();
            // An empty abbreviation fails here, at compile time.
            by_first[bytes[0] as usize] |= 1 << k;
            let second = if bytes.len() > 1 { bytes[1] } else { b' ' };
            if second == b' ' {
                // ' ', and the lead bytes of U+00A0 and U+202F.
                by_second[b' ' as usize] |= 1 << k;
                by_second[0xc2] |= 1 << k;
                by_second[0xe2] |= 1 << k;
            } else {
                by_second[second as usize] |= 1 << k;
            }
            k += 1;
        }
        Abbreviations { list, by_first, by_second }
    }

    /// The abbreviations that may begin with the bytes `first` and `second`, as bits.
    fn candidates(&self, first: u8, second: Option<&u8>) -> u32 {
        // Every match takes a second byte, if only that of the space after it.
        second.map_or(0, |&b| self.by_first[first as usize] & self.by_second[b as usize])
    }

    /// Those of `candidates`, in the order of the list.
    fn of(&self, candidates: u32) -> impl Iterator<Item = &'static str> {
        let (list, mut bits) = (self.list, candidates);
        std::iter::from_fn(move || {
            if bits == 0 {
                return None;
            }
            let k = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            list.get(k).copied()
        })
    }
}

#[derive(Clone, Copy)]
struct Quotes {
    primary: (char, char),
    secondary: (char, char),
}

/// Which side of a quotation one of the language's marks stands on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    Open,
    Close,
    /// The same glyph opens and closes (Swedish and Finnish `”…”`, Hebrew): its neighbours decide.
    Both,
}

impl Quotes {
    /// The quotation marks CLDR gives the language (and region) of `lang`; `None` for a
    /// language CLDR's table here lacks, which keeps its straight quotes.
    fn for_lang(lang: &Lang) -> Option<Quotes> {
        // Swiss and Liechtenstein German set «…» and ‹…› (Duden, Schweizer Orthographische
        // Konferenz); CLDR 48 gives them the German „…“, which Swiss books do not use.
        if lang.language() == "de" && matches!(lang.region(), Some("CH" | "LI")) {
            return Some(SWISS);
        }
        let [a, b, c, d] = cldr::delimiters(lang.language(), lang.region())?;
        Some(Quotes { primary: (a, b), secondary: (c, d) })
    }

    /// The side `glyph` stands on when it is one of this language's marks.
    fn side(self, glyph: char) -> Option<Side> {
        let opens = glyph == self.primary.0 || glyph == self.secondary.0;
        let closes = glyph == self.primary.1 || glyph == self.secondary.1;
        match (opens, closes) {
            (true, true) => Some(Side::Both),
            (true, false) => Some(Side::Open),
            (false, true) => Some(Side::Close),
            (false, false) => None,
        }
    }

    fn pair(self, level: Level) -> (char, char) {
        match level {
            Level::Primary => self.primary,
            Level::Secondary => self.secondary,
        }
    }
}

/// The one departure from CLDR's table (see [`Quotes::for_lang`]).
const SWISS: Quotes = Quotes { primary: ('«', '»'), secondary: ('‹', '›') };

/// How ` - ` between words is set.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dash {
    /// English: an em dash without spaces.
    ClosedEm,
    /// A no-break space, an en dash and a space (German, French, Czech and most others).
    SpacedEn,
    /// A no-break space, an em dash and a space: Russian, Ukrainian, Belarusian, Kazakh and
    /// Bulgarian typesetting (the тире), and Polish (the pauza of its orthography).
    SpacedEm,
}

#[derive(Clone, Copy)]
struct Style {
    /// `None`: a language whose conventions we do not know keeps its straight quotes.
    quotes: Option<Quotes>,
    /// Narrow no-break spaces inside « » and before `; : ! ?`.
    french_spacing: bool,
    dash: Dash,
    /// Direct speech in Cyrillic typesetting: `,-` and `,—` after a quotation become `, —`.
    comma_dash: bool,
    narrow_percent: bool,
    /// Abbreviations, and in Czech, Slovak and Polish the one-letter words, that take a
    /// no-break space after them.
    abbreviations: &'static Abbreviations,
}

impl Style {
    fn for_lang(lang: &Lang) -> Style {
        let code = lang.language();
        let cyrillic_dash = matches!(code, "ru" | "uk" | "be" | "kk" | "bg");
        Style {
            quotes: Quotes::for_lang(lang),
            french_spacing: code == "fr",
            dash: match code {
                "en" => Dash::ClosedEm,
                _ if cyrillic_dash || code == "pl" => Dash::SpacedEm,
                _ => Dash::SpacedEn,
            },
            comma_dash: cyrillic_dash,
            narrow_percent: matches!(code, "de" | "fr"),
            abbreviations: match code {
                "de" => &DE_ABBREVIATIONS,
                "en" => &EN_ABBREVIATIONS,
                "fr" => &FR_ABBREVIATIONS,
                "ru" | "kk" => &RU_ABBREVIATIONS,
                "cs" | "sk" => &CS_SK_ONE_LETTER,
                "pl" => &PL_ONE_LETTER,
                _ => &NO_ABBREVIATIONS,
            },
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Primary,
    Secondary,
}

impl Level {
    fn other(self) -> Level {
        match self {
            Level::Primary => Level::Secondary,
            Level::Secondary => Level::Primary,
        }
    }
}

/// What opened a quotation: a straight `"` or `'` can only be closed by the same character or
/// by the typed glyph that belongs to it; a typed one only by its glyph.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Src {
    Double,
    Single,
    Typed,
}

#[derive(Clone, Copy)]
struct Entry {
    src: Src,
    level: Level,
    close: char,
}

/// Whether the previous output character was a quotation mark, and which side: `“` opens in
/// English and closes in German, so the character alone cannot say.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Plain,
    Open,
    Close,
}

/// The rest of the current run plus the first character of the next non-empty run: enough
/// look-ahead for every rule, without ever reading across more than one boundary.
#[derive(Clone, Copy)]
struct Ahead<'s> {
    rest: &'s str,
    next_run: Option<char>,
}

impl Ahead<'_> {
    fn next(self) -> Option<char> {
        self.rest.chars().next().or(self.next_run)
    }
}

struct State {
    style: Style,
    /// Output of the run being processed; swapped into the run at its end.
    out: String,
    /// Last output character of the block; `None` at its start.
    prev: Option<char>,
    role: Role,
    /// Whether the block has shown anything but whitespace yet: a leading `- ` is a list dash.
    content: bool,
    /// The run whose output ends with `prev` when the current output is still empty, so a space
    /// typed at the end of the previous run can still become a no-break space.
    prev_run: Option<usize>,
    /// An opening « ended a run and the next run starts with the space that belongs to it.
    pending_nnbsp: bool,
    stack: [Entry; MAX_DEPTH],
    depth: usize,
}

impl State {
    fn new(style: Style) -> State {
        State {
            style,
            out: String::new(),
            prev: None,
            role: Role::Plain,
            content: false,
            prev_run: None,
            pending_nnbsp: false,
            stack: [Entry { src: Src::Typed, level: Level::Primary, close: ' ' }; MAX_DEPTH],
            depth: 0,
        }
    }

    fn verbatim(&mut self) {
        self.prev = Some(VERBATIM_CONTEXT);
        self.role = Role::Plain;
        self.content = true;
        self.prev_run = None;
        self.pending_nnbsp = false;
    }

    fn run(&mut self, src: &str, next_run: Option<char>, earlier: &mut [TextRun<'_>]) {
        let mut i = 0;
        if std::mem::take(&mut self.pending_nnbsp) {
            if let Some(space @ (' ' | NBSP)) = src.chars().next() {
                self.emit(NNBSP);
                i = space.len_utf8();
            }
        }
        while i < src.len() {
            // Most of the text is letters, digits, spaces and punctuation no rule changes: such
            // a span is found bytewise and copied whole; only the characters a rule may change
            // are decoded and take a step.
            let plain = self.plain_len(&src[i..]);
            if plain > 0 {
                self.copy(&src[i..i + plain]);
                i += plain;
                continue;
            }
            let Some(c) = src[i..].chars().next() else { break };
            let len = c.len_utf8();
            let ahead = Ahead { rest: &src[i + len..], next_run };
            i += len + self.step(c, ahead, earlier);
        }
    }

    /// Bytes at the start of `s` that [`State::step`] would only copy, one `emit` per character.
    /// It must stop before every character some arm of `step` changes, given the state as it
    /// would be there: after a digit (a unit may follow a space) and at a word start (an
    /// abbreviation may begin).
    fn plain_len(&self, s: &str) -> usize {
        let bytes = s.as_bytes();
        let quotes = self.style.quotes.is_some();
        let french = self.style.french_spacing;
        let mut word_start = self.at_word_start();
        let mut after_digit = self.prev.is_some_and(|p| p.is_ascii_digit());
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            if b.is_ascii_alphabetic() {
                // The index alone turns almost every word away, without a call.
                if word_start
                    && self.style.abbreviations.candidates(b, bytes.get(i + 1)) != 0
                    && self.find_abbreviation(b as char, &s[i + 1..]).is_some()
                {
                    break;
                }
                // The rest of the word's ASCII letters: nothing changes inside a word.
                i += 1 + crate::bytescan::ascii_letters_len(&bytes[i + 1..]);
                word_start = false;
                after_digit = false;
                continue;
            }
            if b >= 0x80 {
                let Some(c) = s[i..].chars().next() else { break };
                let len = c.len_utf8();
                let typed_quote = matches!(c, '„' | '‚' | '«' | '‹' | '“' | '‘' | '»' | '›' | '”' | '’');
                let after_comma = if i == 0 { self.prev == Some(',') } else { bytes[i - 1] == b',' };
                let comma_dash = self.style.comma_dash && after_comma && matches!(c, '–' | '—');
                if typed_quote
                    || comma_dash
                    || (word_start && c.is_alphabetic() && self.find_abbreviation(c, &s[i + len..]).is_some())
                {
                    break;
                }
                word_start = c.is_whitespace();
                after_digit = false;
                i += len;
                continue;
            }
            match ascii::CLASSES[b as usize] {
                ascii::DIGIT => {
                    word_start = false;
                    after_digit = true;
                    i += 1;
                    continue;
                }
                ascii::SPACE if after_digit => break,
                ascii::SPACE | ascii::BREAK => word_start = true,
                ascii::DOT if bytes[i + 1..].starts_with(b"..") => break,
                ascii::HYPHEN => break,
                ascii::QUOTE if quotes => break,
                ascii::FRENCH if french => break,
                _ => word_start = false,
            }
            after_digit = false;
            i += 1;
        }
        i
    }

    /// Emits every character of `span`, which [`State::plain_len`] measured, at once.
    fn copy(&mut self, span: &str) {
        self.out.push_str(span);
        self.prev = match span.as_bytes().last() {
            Some(&b) if b < 0x80 => Some(b as char),
            _ => span.chars().next_back(),
        };
        self.role = Role::Plain;
        if !self.content {
            self.content = !span.chars().all(char::is_whitespace);
        }
    }

    /// The plain loop [`State::run`] must agree with: every character takes a step.
    #[cfg(test)]
    fn run_char_by_char(&mut self, src: &str, next_run: Option<char>, earlier: &mut [TextRun<'_>]) {
        let mut i = 0;
        if std::mem::take(&mut self.pending_nnbsp) {
            if let Some(space @ (' ' | NBSP)) = src.chars().next() {
                self.emit(NNBSP);
                i = space.len_utf8();
            }
        }
        while let Some(c) = src[i..].chars().next() {
            let len = c.len_utf8();
            let ahead = Ahead { rest: &src[i + len..], next_run };
            i += len + self.step(c, ahead, earlier);
        }
    }

    /// Handles `c` and returns how many bytes after it were consumed too.
    fn step(&mut self, c: char, ahead: Ahead<'_>, earlier: &mut [TextRun<'_>]) -> usize {
        match c {
            '-' | '–' | '—' if self.style.comma_dash && self.prev == Some(',') => self.comma_dash(c, ahead),
            '.' if ahead.rest.starts_with("..") => {
                self.emit('…');
                2
            }
            '-' if ahead.rest.starts_with("--") => {
                self.emit('—');
                2
            }
            '-' if ahead.rest.starts_with('-') => {
                self.emit('–');
                1
            }
            '-' => self.hyphen(ahead, earlier),
            '"' | '\'' => match self.style.quotes {
                Some(quotes) => self.straight_quote(c, quotes, ahead, earlier),
                None => {
                    self.emit(c);
                    0
                }
            },
            '„' | '‚' | '«' | '‹' | '“' | '‘' | '»' | '›' | '”' | '’' => {
                self.typed_quote(c, ahead, earlier)
            }
            ';' | ':' | '!' | '?' if self.style.french_spacing => {
                self.french_punctuation(c, ahead, earlier);
                0
            }
            ' ' if self.prev.is_some_and(|p| p.is_ascii_digit()) => {
                let space = self.unit_space(ahead);
                self.emit(space);
                0
            }
            _ if c.is_alphabetic() && self.at_word_start() => self.abbreviation(c, ahead.rest).unwrap_or_else(|| {
                self.emit(c);
                0
            }),
            _ => {
                self.emit(c);
                0
            }
        }
    }

    fn emit(&mut self, c: char) {
        self.out.push(c);
        self.prev = Some(c);
        self.role = Role::Plain;
        if !c.is_whitespace() {
            self.content = true;
        }
    }

    /// The side a quotation mark is on, for the rules after it, comes from the glyph and its
    /// neighbours only, never from the pairing stack: a second pass, where every quote is
    /// already typed and may pair differently, then reads each mark exactly as the first pass did.
    fn emit_quote(&mut self, c: char, next: Option<char>) {
        let between_words = self.prev.is_some_and(char::is_alphanumeric) && next.is_some_and(char::is_alphanumeric);
        let role = match self.style.quotes.and_then(|q| q.side(c)) {
            _ if c == '’' && between_words => Role::Plain,
            Some(Side::Open) => Role::Open,
            Some(Side::Close) => Role::Close,
            Some(Side::Both) if self.opening_context() => Role::Open,
            None if matches!(c, '„' | '‚' | '«' | '‹') => Role::Open,
            None if matches!(c, '“' | '‘') && self.opening_context() => Role::Open,
            _ => Role::Close,
        };
        self.emit(c);
        self.role = role;
    }

    /// Replaces (or with `None` removes) the previous output character, a space, even when it
    /// ended the previous run.
    fn replace_prev(&mut self, earlier: &mut [TextRun<'_>], with: Option<char>) {
        let target = if !self.out.is_empty() {
            &mut self.out
        } else if let Some(run) = self.prev_run {
            &mut *earlier[run].text
        } else {
            return;
        };
        target.pop();
        if let Some(w) = with {
            target.push(w);
        }
        self.prev = with.or_else(|| target.chars().next_back());
    }

    fn opening_context(&self) -> bool {
        match self.prev {
            None => true,
            Some(p) => {
                self.role == Role::Open || p.is_whitespace() || matches!(p, '(' | '[' | '{' | '–' | '—' | '-' | '/')
            }
        }
    }

    fn at_word_start(&self) -> bool {
        match self.prev {
            None => true,
            Some(p) => self.role == Role::Open || p.is_whitespace() || matches!(p, '(' | '[' | '{'),
        }
    }

    /// Direct speech in Cyrillic typesetting: a dash typed right after the comma that ends a
    /// quotation (`«…»,- сказал он`, also `,--`, `,–`, `,—`) becomes `, —`, the dash kept on
    /// the comma's line. Before a digit (`,-5`) or at the end of the text it is left alone.
    fn comma_dash(&mut self, c: char, ahead: Ahead<'_>) -> usize {
        let extra = if c == '-' { ahead.rest.bytes().take(2).take_while(|&b| b == b'-').count() } else { 0 };
        let rest = &ahead.rest[extra..];
        let after = if rest.is_empty() { ahead.next_run } else { rest.chars().next() };
        match after {
            Some(a) if a.is_whitespace() || a.is_alphabetic() => {
                self.emit(NBSP);
                self.emit('—');
                if !a.is_whitespace() {
                    self.emit(' ');
                }
                extra
            }
            _ => {
                self.emit(c);
                0
            }
        }
    }

    /// Only a hyphen with whitespace on both sides and words around it is a dash: `Öl- und`
    /// stands for a left-out part, and `- ` at the start of a block is a list-like dash.
    fn hyphen(&mut self, ahead: Ahead<'_>, earlier: &mut [TextRun<'_>]) -> usize {
        let spaced_before = matches!(self.prev, Some(' ' | NBSP));
        // Only whitespace the author typed: a narrow space this module inserts later (before a
        // French `»`) must not turn the hyphen into a dash on a second pass.
        let space_after = ahead.rest.chars().next().filter(|c| matches!(c, ' ' | '\t' | '\n' | '\r'));
        let word_after = !ahead.rest.trim_start().is_empty() || ahead.next_run.is_some();
        match space_after {
            Some(space) if spaced_before && self.content && word_after => {
                if self.style.dash == Dash::ClosedEm {
                    self.replace_prev(earlier, None);
                    self.emit('—');
                    space.len_utf8()
                } else {
                    // The no-break space glues the dash to the word before: no line starts with it.
                    if self.prev != Some(NBSP) {
                        self.replace_prev(earlier, Some(NBSP));
                    }
                    self.emit(if self.style.dash == Dash::SpacedEm { '—' } else { '–' });
                    0
                }
            }
            _ => {
                self.emit('-');
                0
            }
        }
    }

    fn straight_quote(&mut self, c: char, quotes: Quotes, ahead: Ahead<'_>, earlier: &mut [TextRun<'_>]) -> usize {
        let next = ahead.next();
        let (src, level) = if c == '"' { (Src::Double, Level::Primary) } else { (Src::Single, Level::Secondary) };
        if src == Src::Single && self.is_apostrophe(next, ahead.rest) {
            self.emit_quote('’', next);
            return 0;
        }
        let open = self.find_open(src, level);
        // After a space a quote normally opens, but one followed by nothing that could be quoted
        // closes the quotation the author spaced (`" Bonjour "`).
        let closing = if self.opening_context() { open.is_some() && next.is_none_or(ends_phrase) } else { true };
        if !closing {
            return self.open_quote(src, level, quotes, ahead);
        }
        match open {
            Some(k) => {
                // The language's own mark, even when a foreign typed one opened: a second pass
                // must read it as closing too.
                let (_, close) = quotes.pair(self.stack[k].level);
                self.depth = k;
                self.close_quote(close, next, earlier);
            }
            None if src == Src::Single => self.emit_quote('’', next),
            None => self.close_quote(quotes.primary.1, next, earlier),
        }
        0
    }

    fn is_apostrophe(&self, next: Option<char>, rest: &str) -> bool {
        let between_words = self.prev.is_some_and(char::is_alphanumeric) && next.is_some_and(char::is_alphanumeric);
        // `'90s`, but not a quoted number such as `'1984'`.
        let elided_century = self.prev.is_none_or(char::is_whitespace)
            && next.is_some_and(|n| n.is_ascii_digit())
            && !rest.trim_start_matches(|d: char| d.is_ascii_digit()).starts_with('\'');
        between_words || elided_century
    }

    /// The innermost quotation this straight quote can close; an apostrophe at a word end is
    /// only a closing quote when such a quotation exists.
    fn find_open(&self, src: Src, level: Level) -> Option<usize> {
        let entries = &self.stack[..self.depth];
        entries
            .iter()
            .rposition(|e| e.src == src)
            .or_else(|| entries.iter().rposition(|e| e.src == Src::Typed && e.level == level))
    }

    /// The innermost quotation a typed closing mark ends: its own partner, or any quotation of
    /// the level the language closes with this mark (as a straight quote would have closed it).
    fn find_close(&self, glyph: char) -> Option<usize> {
        let quotes = self.style.quotes;
        self.stack[..self.depth]
            .iter()
            .rposition(|e| e.close == glyph || quotes.is_some_and(|q| q.pair(e.level).1 == glyph))
    }

    fn push(&mut self, entry: Entry) {
        if self.depth < MAX_DEPTH {
            self.stack[self.depth] = entry;
            self.depth += 1;
        }
    }

    /// Nested quotations alternate levels, whichever straight character the author used.
    fn open_quote(&mut self, src: Src, default: Level, quotes: Quotes, ahead: Ahead<'_>) -> usize {
        let level = match self.depth.checked_sub(1).map(|top| self.stack[top].level) {
            Some(top) if top == default => default.other(),
            _ => default,
        };
        let (open, close) = quotes.pair(level);
        self.push(Entry { src, level, close });
        self.emit_quote(open, ahead.next());
        if self.style.french_spacing && open == '«' {
            self.space_after_guillemet(ahead)
        } else {
            0
        }
    }

    fn close_quote(&mut self, glyph: char, next: Option<char>, earlier: &mut [TextRun<'_>]) {
        if self.style.french_spacing && glyph == '»' {
            match self.prev {
                Some(' ' | NBSP) => self.replace_prev(earlier, Some(NNBSP)),
                Some(p) if !p.is_whitespace() => self.emit(NNBSP),
                _ => {}
            }
        }
        self.emit_quote(glyph, next);
    }

    fn space_after_guillemet(&mut self, ahead: Ahead<'_>) -> usize {
        match ahead.next() {
            Some(' ' | NBSP) if ahead.rest.is_empty() => {
                self.pending_nnbsp = true;
                0
            }
            Some(space @ (' ' | NBSP)) => {
                self.emit(NNBSP);
                space.len_utf8()
            }
            Some(n) if !n.is_whitespace() => {
                self.emit(NNBSP);
                0
            }
            _ => 0,
        }
    }

    /// Typed quotation marks are kept; they only take part in pairing (and in French get
    /// their narrow spaces like converted ones).
    fn typed_quote(&mut self, c: char, ahead: Ahead<'_>, earlier: &mut [TextRun<'_>]) -> usize {
        let next = ahead.next();
        if c == '’' && self.prev.is_some_and(char::is_alphanumeric) && next.is_some_and(char::is_alphanumeric) {
            self.emit_quote(c, next);
            return 0;
        }
        // The language's own marks have a fixed side (`“` opens in English, closes in German;
        // `»` closes in French, opens in Hungarian), so a second pass reads what the first
        // emitted the same way. A mark that opens and closes (Swedish `”`) decides as a
        // straight quote would.
        let opening = match self.style.quotes.and_then(|q| q.side(c)) {
            Some(Side::Open) => true,
            Some(Side::Close) => false,
            Some(Side::Both) => {
                self.opening_context() && !(self.find_close(c).is_some() && next.is_none_or(ends_phrase))
            }
            None => match c {
                '„' | '‚' | '«' | '‹' => true,
                '“' | '‘' => self.find_close(c).is_none() && self.opening_context(),
                _ => false,
            },
        };
        if opening {
            let (level, close) = typed_partner(self.style.quotes, c);
            self.push(Entry { src: Src::Typed, level, close });
            self.emit_quote(c, next);
            return if self.style.french_spacing && c == '«' { self.space_after_guillemet(ahead) } else { 0 };
        }
        if let Some(k) = self.find_close(c) {
            self.depth = k;
        }
        self.close_quote(c, next, earlier);
        0
    }

    /// French: a narrow no-break space before `; : ! ?`, but not inside tokens such as
    /// `http://` or `10:30`, where the mark is followed by more of the token.
    fn french_punctuation(&mut self, c: char, ahead: Ahead<'_>, earlier: &mut [TextRun<'_>]) {
        match self.prev {
            // A no-break space pasted from elsewhere becomes the narrow one too.
            Some(' ' | NBSP) => self.replace_prev(earlier, Some(NNBSP)),
            Some(p) if (p.is_alphanumeric() || self.role == Role::Close) && ahead.next().is_none_or(ends_phrase) => {
                self.emit(NNBSP)
            }
            _ => {}
        }
        self.emit(c);
    }

    /// The space after a number: no-break when a unit follows, otherwise unchanged (`1 000`).
    fn unit_space(&self, ahead: Ahead<'_>) -> char {
        for unit in UNITS {
            if let Some(after) = ahead.rest.strip_prefix(unit) {
                let boundary = Ahead { rest: after, next_run: ahead.next_run }.next();
                if !boundary.is_some_and(char::is_alphanumeric) {
                    return if *unit == "%" && self.style.narrow_percent { NNBSP } else { NBSP };
                }
            }
        }
        ' '
    }

    fn abbreviation(&mut self, first: char, rest: &str) -> Option<usize> {
        let (abbreviation, used) = self.find_abbreviation(first, rest)?;
        for ch in abbreviation.chars() {
            // Inside `z. B.` the gap is narrow, as in good German typesetting.
            self.emit(if ch == ' ' { NNBSP } else { ch });
        }
        self.emit(NBSP);
        Some(used)
    }

    /// The abbreviation a word starting with `first` (followed by `rest`) is, and the bytes of
    /// `rest` it takes with the space after it.
    fn find_abbreviation(&self, first: char, rest: &str) -> Option<(&'static str, usize)> {
        let mut buf = [0; 4];
        let head = first.encode_utf8(&mut buf).as_bytes();
        let abbreviations = self.style.abbreviations;
        let candidates = abbreviations.candidates(head[0], head.get(1).or(rest.as_bytes().first()));
        abbreviations.of(candidates).find_map(|a| match_abbreviation(a, first, rest).map(|used| (a, used)))
    }
}

/// Bytes of `rest` taken by `abbr` (whose first character is `first`) and the space after it.
fn match_abbreviation(abbr: &str, first: char, rest: &str) -> Option<usize> {
    let mut pattern = abbr.chars();
    if pattern.next() != Some(first) {
        return None;
    }
    let mut text = rest.char_indices();
    for p in pattern {
        let (_, ch) = text.next()?;
        let same = if p == ' ' { matches!(ch, ' ' | NBSP | NNBSP) } else { ch == p };
        if !same {
            return None;
        }
    }
    match text.next() {
        Some((at, ch @ (' ' | NBSP))) => Some(at + ch.len_utf8()),
        _ => None,
    }
}

/// Characters after which nothing more of a quotation or a token follows.
fn ends_phrase(c: char) -> bool {
    c.is_whitespace()
        || matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | '…' | ')' | ']' | '}' | '»' | '”' | '’' | '›' | '"' | '\'')
}

fn typed_partner(quotes: Option<Quotes>, open: char) -> (Level, char) {
    if let Some(q) = quotes {
        if open == q.primary.0 {
            return (Level::Primary, q.primary.1);
        }
        if open == q.secondary.0 {
            return (Level::Secondary, q.secondary.1);
        }
    }
    match open {
        '„' => (Level::Primary, '“'),
        '«' => (Level::Primary, '»'),
        '“' => (Level::Primary, '”'),
        '‚' => (Level::Secondary, '‘'),
        '‹' => (Level::Secondary, '›'),
        _ => (Level::Secondary, '’'),
    }
}

fn first_char(runs: &[TextRun<'_>]) -> Option<char> {
    let run = runs.iter().find(|r| !r.text.is_empty())?;
    if run.verbatim {
        Some(VERBATIM_CONTEXT)
    } else {
        run.text.chars().next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(tag: &str) -> Lang {
        Lang::parse(tag).unwrap().0
    }

    fn check(tag: &str, input: &str, expected: &str) {
        assert_eq!(apply_str(&lang(tag), input), expected, "lang {tag:?}, input {input:?}");
    }

    /// Each case is its own test, and all of them together feed the idempotence test.
    macro_rules! cases {
        ($($name:ident: $lang:expr, $input:expr => $expected:expr;)*) => {
            $(
                #[test]
                fn $name() {
                    check($lang, $input, $expected);
                }
            )*
            const ALL_CASES: &[(&str, &str, &str)] = &[$(($lang, $input, $expected)),*];
        };
    }

    cases! {
        // German seed sentences.
        seed_1_spaced_hyphen: "de",
            "Tokajew und sein Regime versuchen, die Bewegung im Blut zu ertränken - und zugleich die Protestierenden als TerroristInnen und ausländische AgentInnen zu diffamieren."
            => "Tokajew und sein Regime versuchen, die Bewegung im Blut zu ertränken\u{a0}\u{2013} und zugleich die Protestierenden als TerroristInnen und ausländische AgentInnen zu diffamieren.";
        seed_2_sog: "de",
            "Der Polizei, der Armee und den russischen Truppen hat er den Schießbefehl gegen sog. AufrührerInnen erteilt."
            => "Der Polizei, der Armee und den russischen Truppen hat er den Schießbefehl gegen sog.\u{a0}AufrührerInnen erteilt.";
        seed_3_left_out_part: "de",
            "Wir wissen, dass die Bewegung bei den Öl- und GasarbeiterInnen ihren Ausgang nahm"
            => "Wir wissen, dass die Bewegung bei den Öl- und GasarbeiterInnen ihren Ausgang nahm";
        seed_4_typed_quotes: "de",
            "als \u{201e}terroristisch\u{201c} betrachtet" => "als \u{201e}terroristisch\u{201c} betrachtet";
        seed_5_two_dashes: "de",
            "Alle Großmächte - ob Russland und China, USA und Deutschland - versuchen"
            => "Alle Großmächte\u{a0}\u{2013} ob Russland und China, USA und Deutschland\u{a0}\u{2013} versuchen";
        seed_6_nested_quotes: "de",
            "Er sagte: \"Wir lassen uns nicht 'spalten'.\""
            => "Er sagte: \u{201e}Wir lassen uns nicht \u{201a}spalten\u{2018}.\u{201c}";

        // German quotes, regions.
        de_double: "de", "\"Hallo\"" => "\u{201e}Hallo\u{201c}";
        de_single: "de", "'Hallo'" => "\u{201a}Hallo\u{2018}";
        de_at_double: "de-AT", "\"Servus\"" => "\u{201e}Servus\u{201c}";
        de_de_double: "de-DE", "\"Moin\"" => "\u{201e}Moin\u{201c}";
        de_double_in_double_alternates: "de", "\"a \"b\" c\"" => "\u{201e}a \u{201a}b\u{2018} c\u{201c}";
        de_straight_inside_typed: "de", "\u{201e}Er sagte \"ja\".\u{201c}" => "\u{201e}Er sagte \u{201a}ja\u{2018}.\u{201c}";
        de_straight_closes_typed: "de", "\u{201e}Hallo\"" => "\u{201e}Hallo\u{201c}";
        de_english_quotes_kept: "de", "\u{201c}Hello\u{201d} sagte er" => "\u{201c}Hello\u{201d} sagte er";
        de_ch_double: "de-CH", "\"Grüezi\"" => "\u{ab}Grüezi\u{bb}";
        de_ch_nested: "de-CH", "\"Er sagt 'ja'.\"" => "\u{ab}Er sagt \u{2039}ja\u{203a}.\u{bb}";
        de_li_double: "de-LI", "\"Hoi\"" => "\u{ab}Hoi\u{bb}";
        de_ch_with_script_and_lowercase: "de-latn-ch", "\"Hoi\"" => "\u{ab}Hoi\u{bb}";

        // English quotes.
        en_double: "en", "\"Hello,\" she said." => "\u{201c}Hello,\u{201d} she said.";
        en_nested: "en", "\"She said 'no'.\"" => "\u{201c}She said \u{2018}no\u{2019}.\u{201d}";
        en_gb: "en-GB", "'Right,' he said." => "\u{2018}Right,\u{2019} he said.";
        en_typed_kept: "en", "\u{201c}typed\u{201d} and \u{2018}typed\u{2019}" => "\u{201c}typed\u{201d} and \u{2018}typed\u{2019}";

        // French quotes and punctuation.
        fr_double_inserts_narrow_spaces: "fr", "\"Bonjour\"" => "\u{ab}\u{202f}Bonjour\u{202f}\u{bb}";
        fr_double_replaces_typed_spaces: "fr", "\" Bonjour \"" => "\u{ab}\u{202f}Bonjour\u{202f}\u{bb}";
        // CLDR gives French « » at both levels.
        fr_single_is_guillemets_too: "fr", "\"Il dit 'non'.\"" => "\u{ab}\u{202f}Il dit \u{ab}\u{202f}non\u{202f}\u{bb}.\u{202f}\u{bb}";
        fr_ch_single: "fr-CH", "\"Il dit 'non'.\"" => "\u{ab}\u{202f}Il dit \u{2039}non\u{203a}.\u{202f}\u{bb}";
        fr_ca_double: "fr-CA", "\"Allô\"" => "\u{ab}\u{202f}Allô\u{202f}\u{bb}";
        fr_typed_guillemets_get_spaces: "fr", "\u{ab}Bonjour\u{bb}" => "\u{ab}\u{202f}Bonjour\u{202f}\u{bb}";
        // No-break spaces pasted from elsewhere become narrow, as typed ones do.
        fr_pasted_nbsp_inside_guillemets: "fr", "\u{ab}\u{a0}Bonjour\u{a0}\u{bb}" => "\u{ab}\u{202f}Bonjour\u{202f}\u{bb}";
        fr_pasted_nbsp_before_marks: "fr", "Quoi\u{a0}? Oui\u{a0}! Non\u{a0}; ainsi\u{a0}: voilà"
            => "Quoi\u{202f}? Oui\u{202f}! Non\u{202f}; ainsi\u{202f}: voilà";
        fr_pasted_nbsp_straight_quotes: "fr", "\"\u{a0}Oui\u{a0}\"" => "\u{ab}\u{202f}Oui\u{202f}\u{bb}";
        fr_ch_pasted_nbsp: "fr-CH", "\u{ab}\u{a0}Grüezi\u{a0}\u{bb}\u{a0}!" => "\u{ab}\u{202f}Grüezi\u{202f}\u{bb}\u{202f}!";
        fr_question_inserts: "fr", "Quoi?" => "Quoi\u{202f}?";
        fr_question_replaces_space: "fr", "Quoi ?" => "Quoi\u{202f}?";
        fr_exclamation: "fr", "Vraiment !" => "Vraiment\u{202f}!";
        fr_semicolon: "fr", "oui; non" => "oui\u{202f}; non";
        fr_colon: "fr", "Attention: voilà" => "Attention\u{202f}: voilà";
        fr_double_marks: "fr", "Quoi ?!" => "Quoi\u{202f}?!";
        fr_after_closing_quote: "fr", "\"oui\"!" => "\u{ab}\u{202f}oui\u{202f}\u{bb}\u{202f}!";
        fr_inside_quote: "fr", "\"Quoi!\"" => "\u{ab}\u{202f}Quoi\u{202f}!\u{202f}\u{bb}";
        fr_url_untouched: "fr", "voir http://exemple.fr/page?id=3 ici" => "voir http://exemple.fr/page?id=3 ici";
        fr_time_untouched: "fr", "à 10:30 heures" => "à 10:30 heures";
        fr_ratio_untouched: "fr", "score 3:1" => "score 3:1";

        // Russian family.
        ru_double: "ru", "\"Привет\"" => "\u{ab}Привет\u{bb}";
        ru_nested_single: "ru", "\"Он сказал 'да'.\"" => "\u{ab}Он сказал \u{201e}да\u{201c}.\u{bb}";
        ru_nested_double: "ru", "\"а \"б\" в\"" => "\u{ab}а \u{201e}б\u{201c} в\u{bb}";
        ru_typed_kept: "ru", "\u{ab}Привет\u{bb} и \u{201e}да\u{201c}" => "\u{ab}Привет\u{bb} и \u{201e}да\u{201c}";
        kk_double: "kk", "\"Сәлем\"" => "\u{ab}Сәлем\u{bb}";
        kk_nested: "kk", "\"a 'b' c\"" => "\u{ab}a \u{201c}b\u{201d} c\u{bb}";
        uk_double: "uk", "\"Привіт\"" => "\u{ab}Привіт\u{bb}";
        be_double: "be", "\"Прывітанне\"" => "\u{ab}Прывітанне\u{bb}";

        // Languages without CLDR marks here keep straight quotes but get dashes and ellipses.
        ja_quotes_straight: "ja", "\"a\" e 'b'" => "\"a\" e 'b'";
        it_dash_and_ellipsis: "it", "\"Ciao\" - disse..." => "\u{ab}Ciao\u{bb}\u{a0}\u{2013} disse\u{2026}";
        es_dash: "es", "uno - dos" => "uno\u{a0}\u{2013} dos";
        undetermined: "und", "a - b..." => "a\u{a0}\u{2013} b\u{2026}";

        // Opening versus closing.
        open_after_paren: "de", "(\"Zitat\")" => "(\u{201e}Zitat\u{201c})";
        open_single_after_bracket: "de", "['Zitat']" => "[\u{201a}Zitat\u{2018}]";
        open_after_em_dash: "de", "Wort\u{2014}\"Zitat\"" => "Wort\u{2014}\u{201e}Zitat\u{201c}";
        open_after_slash: "de", "und/\"oder\"" => "und/\u{201e}oder\u{201c}";
        open_after_opening_quote: "de", "\"'Hallo', sagte er\"" => "\u{201e}\u{201a}Hallo\u{2018}, sagte er\u{201c}";
        stray_closing_double: "de", "ein 5\" Rohr" => "ein 5\u{201c} Rohr";

        // Apostrophes.
        de_apostrophe_in_word: "de", "Wie geht's?" => "Wie geht\u{2019}s?";
        en_apostrophe_contraction: "en", "don't" => "don\u{2019}t";
        en_apostrophe_possessive: "en", "Peter's book" => "Peter\u{2019}s book";
        en_apostrophe_decade: "en", "in the '90s" => "in the \u{2019}90s";
        de_apostrophe_decade: "de", "die '90er" => "die \u{2019}90er";
        de_quoted_number_not_apostrophe: "de", "das Buch '1984' ist" => "das Buch \u{201a}1984\u{2018} ist";
        de_apostrophe_word_end: "de", "der Jungs' Auto" => "der Jungs\u{2019} Auto";
        en_apostrophe_word_end: "en", "the boys' car" => "the boys\u{2019} car";
        apostrophe_inside_single_quote: "de", "'geht's'" => "\u{201a}geht\u{2019}s\u{2018}";
        apostrophe_not_on_stack: "de", "\"Jungs' Auto\"" => "\u{201e}Jungs\u{2019} Auto\u{201c}";
        fr_apostrophe: "fr", "l'homme" => "l\u{2019}homme";
        typed_apostrophe_kept: "de", "geht\u{2019}s" => "geht\u{2019}s";

        // Dashes.
        en_closed_em_dash: "en", "word - word" => "word\u{2014}word";
        en_gb_closed_em_dash: "en-GB", "yes - no" => "yes\u{2014}no";
        fr_spaced_en_dash: "fr", "oui - non" => "oui\u{a0}\u{2013} non";
        ru_spaced_em_dash: "ru", "да - нет" => "да\u{a0}\u{2014} нет";
        kk_spaced_em_dash: "kk", "иә - жоқ" => "иә\u{a0}\u{2014} жоқ";
        de_triple_hyphen: "de", "Wort---Wort" => "Wort\u{2014}Wort";
        en_triple_hyphen: "en", "word---word" => "word\u{2014}word";
        fr_triple_hyphen: "fr", "mot---mot" => "mot\u{2014}mot";
        de_double_hyphen_range: "de", "1914--1918" => "1914\u{2013}1918";
        en_double_hyphen_range: "en", "1914--1918" => "1914\u{2013}1918";
        fr_double_hyphen_range: "fr", "1914--1918" => "1914\u{2013}1918";
        ru_double_hyphen_range: "ru", "1914--1918" => "1914\u{2013}1918";
        kk_double_hyphen_range: "kk", "1914--1918" => "1914\u{2013}1918";
        list_dash_at_block_start: "de", "- erster Punkt" => "- erster Punkt";
        list_dash_after_leading_space: "de", " - Punkt" => " - Punkt";
        en_list_dash_at_block_start: "en", "- first" => "- first";
        dash_at_block_end_stays: "de", "Ende -" => "Ende -";
        dash_before_trailing_space_only: "de", "Ende - " => "Ende - ";
        de_left_out_part_vor: "de", "Vor- und Nachteile" => "Vor- und Nachteile";
        de_left_out_part_ein: "de", "Ein- oder Ausgang" => "Ein- oder Ausgang";
        de_left_out_part_oel: "de", "Öl- und Gaskonzerne" => "Öl- und Gaskonzerne";
        de_left_out_trailing_part: "de", "Gaskonzerne und -förderer" => "Gaskonzerne und -förderer";
        en_left_out_part: "en", "pre- and post-war" => "pre- and post-war";
        de_hyphen_in_word: "de", "E-Mail an das ArbeiterInnen-Komitee" => "E-Mail an das ArbeiterInnen-Komitee";
        en_hyphen_in_word: "en", "e-mail" => "e-mail";
        de_dash_after_typed_nbsp: "de", "Wort\u{a0}- und" => "Wort\u{a0}\u{2013} und";

        // Ellipsis.
        de_ellipsis: "de", "Und dann..." => "Und dann\u{2026}";
        en_ellipsis: "en", "Well... no" => "Well\u{2026} no";
        ru_ellipsis: "ru", "Ну..." => "Ну\u{2026}";
        four_dots: "de", "Ende...." => "Ende\u{2026}.";
        five_dots: "en", "end....." => "end\u{2026}..";
        two_dots_stay: "de", "a..b" => "a..b";

        // German abbreviations.
        de_z_b: "de", "z. B. das" => "z.\u{202f}B.\u{a0}das";
        de_d_h: "de", "d. h. also" => "d.\u{202f}h.\u{a0}also";
        de_u_a: "de", "u. a. hier" => "u.\u{202f}a.\u{a0}hier";
        de_s_o: "de", "s. o. dort" => "s.\u{202f}o.\u{a0}dort";
        de_v_a: "de", "v. a. jetzt" => "v.\u{202f}a.\u{a0}jetzt";
        de_nr: "de", "Nr. 5" => "Nr.\u{a0}5";
        de_s: "de", "S. 12" => "S.\u{a0}12";
        de_bzw: "de", "bzw. die" => "bzw.\u{a0}die";
        de_ca: "de", "ca. 300" => "ca.\u{a0}300";
        de_vgl: "de", "(vgl. S. 3)" => "(vgl.\u{a0}S.\u{a0}3)";
        de_dr_prof: "de", "Prof. Dr. Müller" => "Prof.\u{a0}Dr.\u{a0}Müller";
        de_hr_fr: "de", "Hr. und Fr. Meier" => "Hr.\u{a0}und Fr.\u{a0}Meier";
        de_st: "de", "St. Gallen" => "St.\u{a0}Gallen";
        de_abs_art: "de", "Art. 5 Abs. 2" => "Art.\u{a0}5 Abs.\u{a0}2";
        de_abbreviation_after_quote: "de", "\"z. B. das\"" => "\u{201e}z.\u{202f}B.\u{a0}das\u{201c}";
        de_abbreviation_whole_word: "de", "Os. 12 und AS. 3" => "Os. 12 und AS. 3";
        de_abbreviation_case_sensitive: "de", "nr. 5 und s. 3" => "nr. 5 und s. 3";
        de_abbreviation_needs_space: "de", "z.B. das" => "z.B. das";
        de_english_abbreviation_ignored: "de", "Mr. Smith" => "Mr. Smith";

        // English abbreviations.
        en_mr_mrs_ms: "en", "Mr. and Mrs. Smith met Ms. Jones" => "Mr.\u{a0}and Mrs.\u{a0}Smith met Ms.\u{a0}Jones";
        en_dr_prof: "en", "Dr. Who and Prof. X" => "Dr.\u{a0}Who and Prof.\u{a0}X";
        en_st: "en", "St. Petersburg" => "St.\u{a0}Petersburg";
        en_pages: "en", "see p. 4 and pp. 5-9" => "see p.\u{a0}4 and pp.\u{a0}5-9";
        en_number: "en", "No. 5" => "No.\u{a0}5";
        en_eg_ie: "en", "e.g. this, i.e. that" => "e.g.\u{a0}this, i.e.\u{a0}that";
        en_vs: "en", "Labour vs. Tories" => "Labour vs.\u{a0}Tories";
        en_abbreviation_whole_word: "en", "Ap. 5" => "Ap. 5";

        // French abbreviations.
        fr_m: "fr", "M. Dupont" => "M.\u{a0}Dupont";
        fr_mme_mlle: "fr", "Mme Curie et Mlle Dupont" => "Mme\u{a0}Curie et Mlle\u{a0}Dupont";
        fr_dr: "fr", "Dr Martin" => "Dr\u{a0}Martin";
        fr_page: "fr", "voir p. 7" => "voir p.\u{a0}7";
        fr_numero: "fr", "n° 5" => "n°\u{a0}5";
        fr_abbreviation_whole_word: "fr", "Mmes Dupont" => "Mmes Dupont";
        fr_abbreviation_after_guillemet: "fr", "\"M. Dupont\"" => "\u{ab}\u{202f}M.\u{a0}Dupont\u{202f}\u{bb}";

        // Russian and Kazakh abbreviations.
        ru_t_e: "ru", "т. е. это" => "т.\u{202f}е.\u{a0}это";
        ru_t_d_t_p: "ru", "и т. д. и т. п. всё" => "и т.\u{202f}д.\u{a0}и т.\u{202f}п.\u{a0}всё";
        ru_g_gg: "ru", "г. Москва, гг. войны" => "г.\u{a0}Москва, гг.\u{a0}войны";
        ru_im_ul: "ru", "им. Ленина на ул. Тверской" => "им.\u{a0}Ленина на ул.\u{a0}Тверской";
        ru_s: "ru", "с. 12" => "с.\u{a0}12";
        kk_g: "kk", "г. Алматы" => "г.\u{a0}Алматы";
        kk_t_e: "kk", "т. е. бұл" => "т.\u{202f}е.\u{a0}бұл";

        // Numbers and units.
        unit_km: "de", "5 km" => "5\u{a0}km";
        unit_mio: "de", "10 Mio. Menschen" => "10\u{a0}Mio. Menschen";
        unit_mrd: "de", "3 Mrd. Euro" => "3\u{a0}Mrd. Euro";
        unit_prozent: "de", "20 Prozent" => "20\u{a0}Prozent";
        unit_euro: "de", "100 Euro" => "100\u{a0}Euro";
        unit_percent_de: "de", "5 %" => "5\u{202f}%";
        unit_percent_fr: "fr", "5 %" => "5\u{202f}%";
        unit_percent_en: "en", "5 %" => "5\u{a0}%";
        unit_percent_ru: "ru", "5 %" => "5\u{a0}%";
        unit_degrees: "de", "40 °C" => "40\u{a0}°C";
        unit_kg: "de", "12 kg" => "12\u{a0}kg";
        unit_hours: "de", "3 h" => "3\u{a0}h";
        unit_minutes: "de", "15 min" => "15\u{a0}min";
        unit_metres: "en", "250 m away" => "250\u{a0}m away";
        unit_tonnes: "de", "2 t" => "2\u{a0}t";
        unit_euro_sign: "de", "30 €" => "30\u{a0}€";
        unit_dollar_sign: "en", "30 $." => "30\u{a0}$.";
        unit_russian: "ru", "5 км" => "5\u{a0}км";
        unit_polish: "pl", "5 zł i 10 %" => "5\u{a0}zł i\u{a0}10\u{a0}%";
        unit_czech: "cs", "100 Kč" => "100\u{a0}Kč";
        unit_ukrainian: "uk", "20 грн" => "20\u{a0}грн";
        unit_swedish: "sv", "50 kr" => "50\u{a0}kr";
        unit_in_sentence: "de", "Das kostet 30 € pro Tag." => "Das kostet 30\u{a0}€ pro Tag.";
        unit_whole_word_only: "de", "5 mal so viel, 3 hohe Türme" => "5 mal so viel, 3 hohe Türme";
        unit_unknown_language: "it", "5 km" => "5\u{a0}km";
        thousands_group_untouched: "de", "1 000 Menschen" => "1 000 Menschen";
        thousands_group_with_unit: "de", "1 000 km" => "1 000\u{a0}km";
        no_space_no_change: "de", "5% und 5km" => "5% und 5km";

        // CLDR's marks per language, nested.
        pl_quotes: "pl", "\"x 'b' c\"" => "\u{201e}x \u{ab}b\u{bb} c\u{201d}";
        hu_quotes: "hu", "\"a 'b' c\"" => "\u{201e}a \u{bb}b\u{ab} c\u{201d}";
        ro_quotes: "ro", "\"a 'b' c\"" => "\u{201e}a \u{ab}b\u{bb} c\u{201d}";
        cs_quotes: "cs", "\"a 'b' c\"" => "\u{201e}a\u{a0}\u{201a}b\u{2018} c\u{201c}";
        sk_quotes: "sk", "\"x 'b' c\"" => "\u{201e}x \u{201a}b\u{2018} c\u{201c}";
        it_quotes: "it", "\"x 'b' c\"" => "\u{ab}x \u{201c}b\u{201d} c\u{bb}";
        es_quotes: "es", "\"x 'b' c\"" => "\u{201c}x \u{2018}b\u{2019} c\u{201d}";
        pt_quotes: "pt", "\"x 'b' c\"" => "\u{201c}x \u{2018}b\u{2019} c\u{201d}";
        pt_pt_quotes: "pt-PT", "\"x 'b' c\"" => "\u{ab}x \u{201c}b\u{201d} c\u{bb}";
        el_quotes: "el", "\"x 'b' c\"" => "\u{ab}x \u{201c}b\u{201d} c\u{bb}";
        tr_quotes: "tr", "\"x 'b' c\"" => "\u{201c}x \u{2018}b\u{2019} c\u{201d}";
        nl_quotes: "nl", "\"x 'b' c\" z'n" => "\u{2018}x \u{2018}b\u{2019} c\u{2019} z\u{2019}n";
        no_quotes: "no", "\"x 'b' c\"" => "\u{ab}x \u{2018}b\u{2019} c\u{bb}";
        nb_quotes: "nb", "\"x 'b' c\"" => "\u{ab}x \u{2018}b\u{2019} c\u{bb}";
        fa_quotes: "fa", "\"x 'b' c\"" => "\u{ab}x \u{2039}b\u{203a} c\u{bb}";
        bg_quotes: "bg", "\"x \"b\" c\"" => "\u{201e}x \u{201e}b\u{201c} c\u{201c}";
        // One glyph on both sides: the neighbours decide, as for a straight quote.
        sv_quotes: "sv", "\"x 'b' c\" sa hon" => "\u{201d}x \u{2019}b\u{2019} c\u{201d} sa hon";
        sv_typed_both_sides: "sv", "\u{201d}Hej\u{201d}, sa hon. \"Ja\"" => "\u{201d}Hej\u{201d}, sa hon. \u{201d}Ja\u{201d}";
        fi_quotes: "fi", "\"x 'b' c\"" => "\u{201d}x \u{2019}b\u{2019} c\u{201d}";
        he_quotes: "he", "\"שלום\" 'x'" => "\u{201d}שלום\u{201d} \u{2019}x\u{2019}";
        // Arabic opens with ” and closes with “ (CLDR); typed ones pair the same way.
        ar_quotes: "ar", "\"مرحبا\" و 'x'" => "\u{201d}مرحبا\u{201c} و \u{2019}x\u{2018}";
        ar_typed: "ar", "\u{201d}مرحبا\u{201c} \"x\"" => "\u{201d}مرحبا\u{201c} \u{201d}x\u{201c}";
        hu_typed_secondary_opens_with_right_guillemet: "hu", "\u{201e}a \u{bb}b\u{ab} \"c\"\u{201d}"
            => "\u{201e}a \u{bb}b\u{ab} \u{bb}c\u{ab}\u{201d}";
        pl_apostrophe: "pl", "Jackson'a" => "Jackson\u{2019}a";

        // Dashes per language.
        uk_em_dash: "uk", "так - ні" => "так\u{a0}\u{2014} ні";
        be_em_dash: "be", "так - не" => "так\u{a0}\u{2014} не";
        bg_em_dash: "bg", "да - не" => "да\u{a0}\u{2014} не";
        pl_em_dash: "pl", "tak - nie" => "tak\u{a0}\u{2014} nie";
        cs_en_dash: "cs", "ano - ne" => "ano\u{a0}\u{2013} ne";
        el_en_dash: "el", "ναι - όχι" => "ναι\u{a0}\u{2013} όχι";
        // Direct speech: `,-` after a quotation becomes `, —`.
        uk_comma_hyphen: "uk", "\u{201e}Так\u{201c},- сказав він" => "\u{201e}Так\u{201c},\u{a0}\u{2014} сказав він";
        uk_comma_em_dash: "uk", "\"Так\",\u{2014} сказав він" => "\u{ab}Так\u{bb},\u{a0}\u{2014} сказав він";
        ru_comma_en_dash_closed: "ru", "\u{ab}Да\u{bb},\u{2013}сказал он" => "\u{ab}Да\u{bb},\u{a0}\u{2014} сказал он";
        ru_comma_double_hyphen: "ru", "\u{ab}Да\u{bb},-- сказал он" => "\u{ab}Да\u{bb},\u{a0}\u{2014} сказал он";
        ru_comma_minus_number: "ru", "было 5,-5" => "было 5,-5";
        ru_comma_dash_at_end: "ru", "так,-" => "так,-";
        ru_comma_spaced_dash: "ru", "\u{ab}Да\u{bb}, - сказал он" => "\u{ab}Да\u{bb},\u{a0}\u{2014} сказал он";
        pl_comma_hyphen_left: "pl", "tak,-nie" => "tak,-nie";

        // One-letter words keep to the next word in Czech, Slovak and Polish.
        cs_one_letter: "cs", "Šli jsme k lesu a v něm s bratrem" => "Šli jsme k\u{a0}lesu a\u{a0}v\u{a0}něm s\u{a0}bratrem";
        cs_one_letter_capital: "cs", "V Praze a I tak" => "V\u{a0}Praze a\u{a0}I\u{a0}tak";
        cs_one_letter_after_quote: "cs", "\"V lese\"" => "\u{201e}V\u{a0}lese\u{201c}";
        cs_one_letter_not_in_word: "cs", "kolo a vlak" => "kolo a\u{a0}vlak";
        sk_one_letter: "sk", "Išiel k rieke o piatej" => "Išiel k\u{a0}rieke o\u{a0}piatej";
        pl_one_letter: "pl", "Był w domu i z bratem o tym mówił" => "Był w\u{a0}domu i\u{a0}z\u{a0}bratem o\u{a0}tym mówił";
        pl_k_not_glued: "pl", "k lesie" => "k lesie";
        de_one_letter_not_glued: "de", "a b" => "a b";
        en_one_letter_not_glued: "en", "a book" => "a book";

        // Mixed sentences.
        de_quotes_around_dash: "de", "a \"b\" - \"c\"" => "a \u{201e}b\u{201c}\u{a0}\u{2013} \u{201e}c\u{201c}";
        en_sentence: "en", "He said: \"No - never...\"" => "He said: \u{201c}No\u{2014}never\u{2026}\u{201d}";
        de_range_with_unit: "de", "10 - 20 km" => "10\u{a0}\u{2013} 20\u{a0}km";
        fr_sentence: "fr", "Il a dit : \u{ab} non \u{bb} ; puis..."
            => "Il a dit\u{202f}: \u{ab}\u{202f}non\u{202f}\u{bb}\u{202f}; puis\u{2026}";
        de_apostrophe_in_nested_quote: "de", "Sie sagte: \"Das ist 'Peter's' Buch.\""
            => "Sie sagte: \u{201e}Das ist \u{201a}Peter\u{2019}s\u{2018} Buch.\u{201c}";
        de_latn_ch_double: "de-latn-ch", "\"Grüezi\"" => "\u{ab}Grüezi\u{bb}";
        deu_is_german: "deu", "\"Er sagt 'ja'.\"" => "\u{201e}Er sagt \u{201a}ja\u{2018}.\u{201c}";
        de_ch_sentence: "de-CH", "\"Das ist 'gut'\", sagte er." => "\u{ab}Das ist \u{2039}gut\u{203a}\u{bb}, sagte er.";
        en_spaced_closing_quote: "en", "\"Hello \" she said" => "\u{201c}Hello \u{201d} she said";

        // Regressions found by fuzzing (each once broke idempotence).
        fr_hyphen_before_guillemet: "fr", "x -\u{bb}" => "x -\u{202f}\u{bb}";
        fr_foreign_opening_then_single: "fr", "\u{201e}'!" => "\u{201e}\u{ab}\u{202f}!";
        fr_foreign_single_closed_by_straight: "fr", "\u{2018}a:'?" => "\u{2018}a\u{202f}:\u{202f}\u{bb}\u{202f}?";
        ru_abbreviation_before_tab_dash: "ru", "т. е.\t- да" => "т. е.\t- да";

        // Plain text stays as it is.
        plain_sentence: "de", "Ein ganz normaler Satz, ohne Besonderheiten." => "Ein ganz normaler Satz, ohne Besonderheiten.";
        empty: "de", "" => "";
    }

    fn runs_of(parts: &mut [(String, bool)]) -> Vec<TextRun<'_>> {
        parts.iter_mut().map(|(text, verbatim)| TextRun { text, verbatim: *verbatim }).collect()
    }

    fn apply_parts(tag: &str, parts: &[(&str, bool)]) -> Vec<String> {
        let mut owned: Vec<(String, bool)> = parts.iter().map(|(t, v)| ((*t).to_owned(), *v)).collect();
        apply(&lang(tag), &mut runs_of(&mut owned));
        owned.into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn idempotent_over_all_cases() {
        for (tag, input, expected) in ALL_CASES {
            let l = lang(tag);
            let once = apply_str(&l, input);
            assert_eq!(apply_str(&l, &once), once, "lang {tag:?}, input {input:?}");
            assert_eq!(apply_str(&l, expected), *expected, "lang {tag:?}, expected {expected:?}");
        }
    }

    #[test]
    fn idempotent_over_runs() {
        let parts = [
            ("Er sagte: \"", false),
            ("Wir", false),
            (" \"Code\" ", true),
            ("lassen - uns ", false),
            ("nicht", false),
            ("\" z. B. 5 km...", false),
        ];
        let once = apply_parts("de", &parts);
        let again: Vec<(&str, bool)> = once.iter().zip(parts.iter()).map(|(t, (_, v))| (t.as_str(), *v)).collect();
        assert_eq!(apply_parts("de", &again), once);
    }

    #[test]
    fn quotes_pair_across_runs() {
        let out = apply_parts("de", &[("\"", false), ("word", false), ("\"", false)]);
        assert_eq!(out, ["\u{201e}", "word", "\u{201c}"]);
    }

    #[test]
    fn quotes_pair_across_runs_en() {
        let out = apply_parts("en", &[("He said \"", false), ("really", false), ("\".", false)]);
        assert_eq!(out, ["He said \u{201c}", "really", "\u{201d}."]);
    }

    #[test]
    fn empty_runs_are_skipped() {
        let out = apply_parts("de", &[("\"", false), ("", false), ("word", false), ("", true), ("\"", false)]);
        assert_eq!(out, ["\u{201e}", "", "word", "", "\u{201c}"]);
    }

    #[test]
    fn french_spaces_across_runs() {
        let out = apply_parts("fr", &[("\"", false), ("Bonjour", false), ("\"", false)]);
        assert_eq!(out, ["\u{ab}\u{202f}", "Bonjour", "\u{202f}\u{bb}"]);
    }

    #[test]
    fn french_space_typed_at_start_of_next_run() {
        let out = apply_parts("fr", &[("\"", false), (" Bonjour ", false), ("\"", false)]);
        assert_eq!(out, ["\u{ab}", "\u{202f}Bonjour\u{202f}", "\u{bb}"]);
    }

    #[test]
    fn french_space_before_mark_in_previous_run() {
        let out = apply_parts("fr", &[("Bonjour ", false), ("!", false)]);
        assert_eq!(out, ["Bonjour\u{202f}", "!"]);
    }

    #[test]
    fn dash_space_in_previous_run() {
        let out = apply_parts("de", &[("Wort ", false), ("- und", false)]);
        assert_eq!(out, ["Wort\u{a0}", "\u{2013} und"]);
        let out = apply_parts("en", &[("word ", false), ("- and", false)]);
        assert_eq!(out, ["word", "\u{2014}and"]);
    }

    #[test]
    fn dash_before_next_run() {
        let out = apply_parts("de", &[("Wort - ", false), ("und", false)]);
        assert_eq!(out, ["Wort\u{a0}\u{2013} ", "und"]);
    }

    #[test]
    fn verbatim_run_untouched() {
        let out =
            apply_parts("de", &[("Schreibe ", false), ("\"x\" - 'y'... z. B. 5 km", true), (" oder \"y\"", false)]);
        assert_eq!(out, ["Schreibe ", "\"x\" - 'y'... z. B. 5 km", " oder \u{201e}y\u{201c}"]);
    }

    #[test]
    fn verbatim_run_counts_as_letters() {
        let out = apply_parts("de", &[("\"", false), ("code", true), ("\"", false)]);
        assert_eq!(out, ["\u{201e}", "code", "\u{201c}"]);
        let out = apply_parts("en", &[("the ", false), ("Vec", true), ("'s length", false)]);
        assert_eq!(out, ["the ", "Vec", "\u{2019}s length"]);
        let out = apply_parts("fr", &[("la fonction ", false), ("main", true), ("!", false)]);
        assert_eq!(out, ["la fonction ", "main", "\u{202f}!"]);
    }

    #[test]
    fn verbatim_run_never_gets_french_spaces() {
        let out = apply_parts("fr", &[("\"", false), ("code", true), ("\"", false)]);
        assert_eq!(out, ["\u{ab}\u{202f}", "code", "\u{202f}\u{bb}"]);
    }

    #[test]
    fn each_block_starts_fresh() {
        assert_eq!(apply_str(&lang("de"), "'offen"), "\u{201a}offen");
        // The single quote left open above does not turn this apostrophe into a closing quote.
        assert_eq!(apply_str(&lang("de"), "der Jungs' Auto"), "der Jungs\u{2019} Auto");
        assert_eq!(apply_str(&lang("de"), "\"offen"), "\u{201e}offen");
        assert_eq!(apply_str(&lang("de"), "\"neu\""), "\u{201e}neu\u{201c}");
    }

    #[test]
    fn patterns_straddling_runs_are_left_alone() {
        let out = apply_parts("de", &[("Und dann..", false), (".", false)]);
        assert_eq!(out, ["Und dann..", "."]);
        let out = apply_parts("de", &[("z.", false), (" B. das", false)]);
        assert_eq!(out, ["z.", " B. das"]);
    }

    /// Apart from the listed replacements no character is lost, added or moved: mapping each
    /// replacement back yields the input (for text without `...`/`--`, which shrink).
    #[test]
    fn characters_preserved_in_german() {
        let input = "Er sagte: \"Wir - die 'Jungs' - lassen uns nicht spalten\", z. B. 5 km, Nr. 3, Vor- und Nachteile, geht's?";
        let output = apply_str(&lang("de"), input);
        let restored: String = output
            .chars()
            .map(|c| match c {
                '\u{201e}' | '\u{201c}' => '"',
                '\u{201a}' | '\u{2018}' | '\u{2019}' => '\'',
                '\u{a0}' | '\u{202f}' => ' ',
                '\u{2013}' => '-',
                other => other,
            })
            .collect();
        assert_eq!(restored, input);
    }

    /// Inputs where the bytewise fast path of `State::run` could go wrong: characters beyond
    /// ASCII next to every rule's trigger, white space that is not a space, control characters.
    const TRICKY: &[&str] = &[
        "",
        " ",
        "a",
        "5",
        "\u{a0}",
        "Öl- und Gaskonzerne, Äpfel... 5 km, 5\u{a0}km, 5\u{202f}% und 5 %",
        "z. B. z.\u{a0}B. z.\u{202f}B. d. h.\tu. a.\nNr. 5 (S. 3) [vgl. S. 4] {bzw. x}",
        "Mr. and Mrs. e.g. i.e. p. 4 pp. 5-9 No. 5 vs. Dr. St.",
        "M. Dupont, Mme Curie, Mlle X, Dr Martin, n° 5, n°5 : ; ! ? a:b http://x 10:30",
        "т. е. т. д. и т. п. г. Москва, гг. войны им. Ленина ул. Тверской с. 12 5 км 3 млн",
        "Жаңаөзен 2011 туралы: «ол» - „иә“ 'жоқ' \"бұл\" ... --- -- Қазақстан ү ә ғ",
        "\u{85}a\u{85}- b\u{2028}\"c\u{2028}\u{2029}'d'\u{3000}e\u{1680}f\u{2003}5 km",
        "\u{0}\u{1}\u{1f}\u{7f}\u{b}\u{c}\r\n'a' \"b\"\u{1c}-\u{1d}- c",
        "„typed“ ‚single‘ «guillemets» ‹angle› “en” ‘en’ geht’s Jungs’ ’90s",
        "'90er '1984' the boys' car \"Jungs' Auto\" l'homme don't 'tis",
        "x\u{a0}- y\u{202f}- z - w -- v --- u .... t ..... s .. r",
        "(Über) [Ärger] {Öl} (z. B.) (\"a\") ['b'] ÿ. ß. ĳ. Ω. 中文 한국어 ٣ km ²5 m",
        "Wort\u{a0}\u{2013} und\u{202f}» «\u{202f}x « y » ; z",
        "word - word 'single' \"double\" 1 000 km 30 $. 40 °C 20 Prozent 5 mal",
        "- erster Punkt",
        " - Punkt",
        "Ende - ",
        "\u{2060}a\u{200b}b\u{feff}- c\u{ad}d 5\u{2007}km",
        "\u{ab}\u{a0}oui\u{a0}\u{bb}\u{a0}! \u{ab}\u{a0}",
        "\u{201e}Так\u{201c},- сказав він, \u{ab}да\u{bb},\u{2014} x,\u{2013}y ,-- z,-5 ,\u{2014}",
        "a v k s z w i o u A V K a\u{a0}v\u{202f}z",
        "\u{201d}Hej\u{201d} \u{2019}x\u{2019} \u{bb}b\u{ab} \u{201d}\u{0645}\u{201c}",
    ];

    #[test]
    fn abbreviation_index_matches_a_plain_search() {
        // Shapes the real lists lack: one byte, a space as the second byte, a letter beyond ASCII.
        static ODD: Abbreviations = Abbreviations::new(&["x", "a b", "ab", "ä c", "т", "Ä."]);
        let styles = ["de", "en", "fr", "ru", "cs", "pl"]
            .map(|t| Style::for_lang(&lang(t)))
            .into_iter()
            .chain([Style { abbreviations: &ODD, ..Style::for_lang(&lang("it")) }]);
        for style in styles {
            let state = State::new(style);
            let list = style.abbreviations.list;
            for a in list {
                let mut texts = Vec::new();
                for inner in [" ", "\u{a0}", "\u{202f}", "\t", ""] {
                    for after in [" x", "\u{a0}x", "\u{202f}x", "x", "", "\n"] {
                        texts.push(format!("{}{after}", a.replace(' ', inner)));
                    }
                }
                texts.extend(a.char_indices().skip(1).map(|(i, _)| format!("{} x", &a[..i])));
                for text in &texts {
                    let Some(first) = text.chars().next() else { continue };
                    let rest = &text[first.len_utf8()..];
                    let plain = list.iter().find_map(|a| match_abbreviation(a, first, rest).map(|used| (*a, used)));
                    assert_eq!(state.find_abbreviation(first, rest), plain, "{text:?}");
                }
            }
        }
    }

    #[test]
    fn fast_path_matches_char_by_char() {
        let langs =
            ["de", "de-CH", "en", "fr", "fr-CH", "ru", "kk", "uk", "it", "und", "cs", "pl", "sv", "hu", "ar"].map(lang);
        // Every abbreviation where it applies and where it must not.
        let abbreviations: Vec<String> = [
            &DE_ABBREVIATIONS,
            &EN_ABBREVIATIONS,
            &FR_ABBREVIATIONS,
            &RU_ABBREVIATIONS,
            &CS_SK_ONE_LETTER,
            &PL_ONE_LETTER,
        ]
        .iter()
        .flat_map(|list| list.list)
        .map(|a| {
            let (nb, narrow) = (a.replace(' ', "\u{a0}"), a.replace(' ', "\u{202f}"));
            format!("{a} x \"{a}\u{a0}y\" ({a}) {a}z {nb} x {narrow}\u{a0}y {narrow}\t{a}")
        })
        .collect();
        let inputs = TRICKY
            .iter()
            .copied()
            .chain(ALL_CASES.iter().map(|(_, input, _)| *input))
            .chain(abbreviations.iter().map(String::as_str));
        for input in inputs {
            // Whole, and split into two runs at every character boundary, the second also as code.
            let mut splits: Vec<Vec<(String, bool)>> = vec![vec![(input.to_owned(), false)]];
            for (at, _) in input.char_indices().skip(1) {
                let (a, b) = input.split_at(at);
                splits.push(vec![(a.to_owned(), false), (b.to_owned(), false)]);
                splits.push(vec![(a.to_owned(), false), (b.to_owned(), true), (a.to_owned(), false)]);
            }
            for l in &langs {
                for parts in &splits {
                    let mut fast = parts.clone();
                    let mut plain = parts.clone();
                    apply_with(l, &mut runs_of(&mut fast), State::run);
                    apply_with(l, &mut runs_of(&mut plain), State::run_char_by_char);
                    assert_eq!(fast, plain, "lang {l}, runs {parts:?}");
                }
            }
        }
    }

    /// Every language of the 25 (and the regions and neighbours the code knows), all with
    /// both levels of quotation marks from CLDR; every mark is one the fast path stops at.
    #[test]
    fn every_language_has_both_levels_of_cldr_quotes() {
        for tag in
            cldr::LANGUAGES.iter().copied().chain(["de-CH", "de-LI", "fr-CH", "fr-CA", "pt-PT", "en-GB", "es-US"])
        {
            let q = Quotes::for_lang(&lang(tag)).unwrap_or_else(|| panic!("{tag}: no quotation marks"));
            for c in [q.primary.0, q.primary.1, q.secondary.0, q.secondary.1] {
                assert!(matches!(c, '„' | '‚' | '«' | '‹' | '“' | '‘' | '»' | '›' | '”' | '’'), "{tag}: {c:?}");
            }
        }
        assert!(Quotes::for_lang(&lang("ja")).is_none());
    }

    /// The 25 languages of the issue and their neighbours, with every region the code treats apart.
    const FUZZ_LANGS: &[&str] = &[
        "de", "de-CH", "en", "en-GB", "fr", "fr-CH", "fr-CA", "es", "it", "pt", "pt-PT", "ca", "nl", "sv", "da", "no",
        "nb", "nn", "fi", "pl", "cs", "sk", "hu", "ro", "el", "tr", "ru", "uk", "kk", "ar", "fa", "he", "be", "bg",
        "ja",
    ];

    /// Pseudo-random text from the characters every rule reacts to: applying the typography a
    /// second time changes nothing, in every language, whole and split into runs.
    #[test]
    fn fuzzed_idempotence_in_every_language() {
        const PIECES: &[&str] = &[
            "\"", "'", "\"", "'", " ", " ", " ", "a", "w", "k", "V", "z", "xy", "5", "-", "-", "--", "...", ",", ".",
            ":", ";", "!", "?", "\u{a0}", "\u{202f}", "\u{ab}", "\u{bb}", "\u{201e}", "\u{201c}", "\u{201d}",
            "\u{2019}", "\u{2018}", "\u{201a}", "\u{2039}", "\u{203a}", "\u{2013}", "\u{2014}", "(", ")", "\t", "км",
            "z. B.", "т. е.", "M.", "km", "%", "ж", "ß", "\u{645}",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..1500 {
            let len = 1 + (next() % 12) as usize;
            let text: String = (0..len).map(|_| PIECES[(next() % PIECES.len() as u64) as usize]).collect();
            let cut = text.char_indices().nth((next() % 4) as usize).map_or(text.len(), |(i, _)| i);
            for tag in FUZZ_LANGS {
                let l = lang(tag);
                let once = apply_str(&l, &text);
                assert_eq!(apply_str(&l, &once), once, "lang {tag}, input {text:?}");
                let (a, b) = text.split_at(cut);
                let parts = apply_parts(tag, &[(a, false), (b, false)]);
                let again: Vec<(&str, bool)> = parts.iter().map(|t| (t.as_str(), false)).collect();
                assert_eq!(apply_parts(tag, &again), parts, "lang {tag}, runs {a:?} {b:?}");
            }
        }
    }

    #[test]
    fn apply_str_matches_apply() {
        let mut text = String::from("\"a\" - b...");
        apply(&lang("de"), &mut [TextRun { text: &mut text, verbatim: false }]);
        assert_eq!(text, apply_str(&lang("de"), "\"a\" - b..."));
    }
}
