//! One-time codes (verification codes, OTPs, PINs) in a text body.

use std::ops::RangeInclusive;

use super::links::url_spans;

/// Words that announce a code, matched as whole words, ignoring case.
const DEFAULT_KEYWORDS: &[&str] = &[
    "code",
    "codes",
    "passcode",
    "verification",
    "verify",
    "otp",
    "pin",
    "one-time",
    "one time",
    "2fa",
    "mfa",
    "token",
    "security",
    "confirmation",
    "confirm",
    "password",
    "login",
    "log in",
    "sign in",
    "sign-in",
];

/// Characters that join numbers into a bigger one (decimals, dates, times, phone numbers).
const NUMBER_JOINERS: &[char] = &['.', ',', ':', '/', '-', ' ', '\u{a0}'];
/// Separators accepted inside a grouped code (`123 456`, `123-456`).
const GROUP_SEPARATORS: &[char] = &[' ', '-', '\u{a0}'];
/// Currency signs that make a number a price.
const CURRENCY: &[char] = &['$', '€', '£', '¥', '₹', '₽', '₩', '¢'];

/// How far before a code (in characters) a keyword still counts.
const KEYWORD_BEFORE_RANGE: usize = 60;
/// How far after a code (in characters) a keyword still counts.
const KEYWORD_AFTER_RANGE: usize = 40;
/// How close before a year-like number a keyword must be for it to count as a code.
const YEAR_KEYWORD_RANGE: usize = 20;

/// Finds the one-time code (verification code, OTP, PIN) in the text of an email.
///
/// # The heuristic
///
/// 1. **Candidates** are runs of ASCII digits whose length is within [`length`](Self::length)
///    (4 to 8 by default), standing alone: not touching a letter, `_`, `%` or `@`. Two groups
///    of 3 or 4 digits of equal length joined by one space or hyphen (`123 456`, `4821-0937`)
///    form one candidate, returned without the separator.
/// 2. **Rejected** are numbers that are part of a bigger number (`12.50`, `1,000`,
///    `2024-05-17`, `10:30`, `555-0142`, `020 7946 0958`), follow a `+` (phone numbers), sit
///    next to a currency sign (`$1999`, `1500 €`), or appear inside a URL. A four-digit number
///    from 1900 to 2099 is taken for a year and rejected unless a keyword comes right before
///    it (within 20 characters, no other number between: `PIN: 1987`).
/// 3. **Scoring**: a candidate scores `100 - distance` when a keyword ("code", "verification",
///    "OTP", "PIN", "passcode", "one-time", "token", "sign in", ... and any added with
///    [`keyword`](Self::keyword)) ends at most 60 characters before it, or `50 - distance`
///    when one starts at most 40 characters after it, whichever is higher; +30 when it is alone
///    on its line (the big code of most templates); +5 for six digits (the most common
///    length); -30 after `#` (order and ticket numbers).
/// 4. The highest score wins, the earlier one on a tie. With no keyword anywhere, this falls
///    back to the number alone on its line, then to the first remaining candidate; `None` when
///    nothing is left.
///
/// ```
/// use mailtrap_sandbox_extract::CodeFinder;
///
/// let text = "Order #40213 ships today. Your verification code is 482 913.\n\
///             It expires in 10 minutes. © 2025 Example Inc, call +1 555 0100.";
/// assert_eq!(CodeFinder::new().find(text).as_deref(), Some("482913"));
/// assert_eq!(CodeFinder::new().length(5..=5).find(text).as_deref(), Some("40213"));
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct CodeFinder {
    min_len: usize,
    max_len: usize,
    keywords: Vec<Vec<char>>,
}

impl Default for CodeFinder {
    fn default() -> Self {
        Self {
            min_len: 4,
            max_len: 8,
            keywords: DEFAULT_KEYWORDS
                .iter()
                .map(|keyword| keyword.chars().collect())
                .collect(),
        }
    }
}

/// A number that may be the code.
#[derive(Debug)]
struct Candidate {
    /// First character (index into the text's characters).
    start: usize,
    /// One past the last character.
    end: usize,
    digits: String,
    /// Two groups joined by a separator.
    grouped: bool,
}

impl CodeFinder {
    /// A finder for codes of 4 to 8 digits with the default keywords.
    ///
    /// ```
    /// use mailtrap_sandbox_extract::CodeFinder;
    ///
    /// let finder = CodeFinder::new(); // build once, use for every message
    /// assert_eq!(finder.find("Your code: 8142").as_deref(), Some("8142"));
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Accepted code lengths in digits (default `4..=8`). A start of 0 counts as 1, and an end
    /// below the start as the start.
    ///
    /// ```
    /// use mailtrap_sandbox_extract::CodeFinder;
    ///
    /// let text = "Order 40213 is ready. Your code is 5512.";
    /// assert_eq!(CodeFinder::new().length(5..=5).find(text).as_deref(), Some("40213"));
    /// assert_eq!(CodeFinder::new().length(4..=4).find(text).as_deref(), Some("5512"));
    /// ```
    pub fn length(mut self, digits: RangeInclusive<usize>) -> Self {
        self.min_len = (*digits.start()).max(1);
        self.max_len = (*digits.end()).max(self.min_len);
        self
    }

    /// Adds a word that announces a code (matched as a whole word, ignoring case), for example
    /// `"código"` or `"Bestätigungscode"`.
    ///
    /// ```
    /// use mailtrap_sandbox_extract::CodeFinder;
    ///
    /// let text = "Pedido 40213. Su clave de acceso: 771 204";
    /// let finder = CodeFinder::new().keyword("clave");
    /// assert_eq!(finder.find(text).as_deref(), Some("771204"));
    /// ```
    pub fn keyword(mut self, word: impl AsRef<str>) -> Self {
        let word: Vec<char> = word
            .as_ref()
            .trim()
            .chars()
            .flat_map(char::to_lowercase)
            .collect();
        if !word.is_empty() {
            self.keywords.push(word);
        }
        self
    }

    /// The most likely code in `text` (digits only), or `None`. For an HTML body, convert it
    /// first with [`html_to_text`](super::html_to_text).
    ///
    /// ```
    /// use mailtrap_sandbox_extract::{CodeFinder, html_to_text};
    ///
    /// let html = "<p>Hi Ana,</p><p>Your sign-in code:</p><h1>294 117</h1><p>© 2025 Shop</p>";
    /// assert_eq!(CodeFinder::new().find(&html_to_text(html)).as_deref(), Some("294117"));
    /// assert_eq!(CodeFinder::new().find("Thanks for your order!"), None);
    /// ```
    #[must_use]
    pub fn find(&self, text: &str) -> Option<String> {
        let chars: Vec<char> = text.chars().collect();
        let url_ranges = char_ranges(text, &url_spans(text));
        let keywords = self.keyword_positions(&chars);
        let mut best: Option<(i64, Candidate)> = None;
        for candidate in candidates(&chars) {
            let Some(score) = self.score(&chars, &candidate, &keywords, &url_ranges) else {
                continue;
            };
            if best
                .as_ref()
                .is_none_or(|(best_score, _)| score > *best_score)
            {
                best = Some((score, candidate));
            }
        }
        best.map(|(_, candidate)| candidate.digits)
    }

    /// Where the keywords occur: `(start, end)` character ranges, sorted by start.
    fn keyword_positions(&self, chars: &[char]) -> Vec<(usize, usize)> {
        let lower: Vec<char> = chars
            .iter()
            .map(|c| c.to_lowercase().next().unwrap_or(*c))
            .collect();
        let mut found = Vec::new();
        for keyword in &self.keywords {
            if keyword.is_empty() || keyword.len() > lower.len() {
                continue;
            }
            for start in 0..=(lower.len() - keyword.len()) {
                let end = start + keyword.len();
                if lower.get(start..end) == Some(keyword.as_slice())
                    && !is_word_char(start.checked_sub(1).and_then(|i| chars.get(i)))
                    && !is_word_char(chars.get(end))
                {
                    found.push((start, end));
                }
            }
        }
        found.sort_unstable();
        found
    }

    /// The candidate's score, or `None` when it is rejected.
    fn score(
        &self,
        chars: &[char],
        candidate: &Candidate,
        keywords: &[(usize, usize)],
        url_ranges: &[(usize, usize)],
    ) -> Option<i64> {
        let digits = candidate.digits.len();
        if digits < self.min_len || digits > self.max_len {
            return None;
        }
        if is_rejected(chars, candidate, url_ranges) {
            return None;
        }
        let before = keywords
            .iter()
            .filter(|(_, end)| *end <= candidate.start)
            .map(|(_, end)| candidate.start - end)
            .min();
        let after = keywords
            .iter()
            .filter(|(start, _)| *start >= candidate.end)
            .map(|(start, _)| start - candidate.end)
            .min();
        if !candidate.grouped && looks_like_year(&candidate.digits) {
            // A year counts only when a keyword announces it, with no other number between.
            let distance = before.filter(|distance| *distance <= YEAR_KEYWORD_RANGE)?;
            let between = chars.get(candidate.start - distance..candidate.start)?;
            if between.iter().any(char::is_ascii_digit) {
                return None;
            }
        }
        let mut score: i64 = 0;
        let from_before = before
            .filter(|distance| *distance <= KEYWORD_BEFORE_RANGE)
            .map(|distance| 100 - to_i64(distance));
        let from_after = after
            .filter(|distance| *distance <= KEYWORD_AFTER_RANGE)
            .map(|distance| 50 - to_i64(distance));
        score += from_before.max(from_after).unwrap_or(0);
        if alone_on_line(chars, candidate) {
            score += 30;
        }
        if digits == 6 {
            score += 5;
        }
        if char_before(chars, candidate.start, 1) == Some('#') {
            score -= 30;
        }
        Some(score)
    }
}

/// The most likely one-time code of `text` with the default settings (4 to 8 digits); see
/// [`CodeFinder`] for the heuristic.
///
/// ```
/// use mailtrap_sandbox_extract::one_time_code;
///
/// assert_eq!(one_time_code("Your sign-in code: 0716").as_deref(), Some("0716"));
/// assert_eq!(one_time_code("Total: $1299 (incl. 2024 fees)"), None);
/// ```
#[must_use]
pub fn one_time_code(text: &str) -> Option<String> {
    CodeFinder::new().find(text)
}

/// Every run of digits, with equal groups of 3 or 4 joined by one separator merged.
fn candidates(chars: &[char]) -> Vec<Candidate> {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        if chars.get(index).is_some_and(char::is_ascii_digit) {
            let start = index;
            while chars.get(index).is_some_and(char::is_ascii_digit) {
                index += 1;
            }
            runs.push((start, index));
        } else {
            index += 1;
        }
    }
    let joined = |left: (usize, usize), right: (usize, usize), separators: &[char]| {
        right.0 == left.1 + 1 && chars.get(left.1).is_some_and(|c| separators.contains(c))
    };
    let mut result = Vec::new();
    let mut position = 0;
    while let Some(&run) = runs.get(position) {
        let previous = position.checked_sub(1).and_then(|i| runs.get(i)).copied();
        let next = runs.get(position + 1).copied();
        let after_next = runs.get(position + 2).copied();
        if let Some(next) = next {
            let (len, next_len) = (run.1 - run.0, next.1 - next.0);
            let group = len == next_len
                && (len == 3 || len == 4)
                && joined(run, next, GROUP_SEPARATORS)
                && !previous.is_some_and(|previous| joined(previous, run, NUMBER_JOINERS))
                && !after_next.is_some_and(|after| joined(next, after, NUMBER_JOINERS));
            if group {
                let digits: String = chars
                    .get(run.0..run.1)
                    .into_iter()
                    .chain(chars.get(next.0..next.1))
                    .flatten()
                    .collect();
                result.push(Candidate {
                    start: run.0,
                    end: next.1,
                    digits,
                    grouped: true,
                });
                position += 2;
                continue;
            }
        }
        result.push(Candidate {
            start: run.0,
            end: run.1,
            digits: chars.get(run.0..run.1).into_iter().flatten().collect(),
            grouped: false,
        });
        position += 1;
    }
    result
}

/// Whether the candidate is part of a word, a bigger number, a price, a phone number or a URL.
fn is_rejected(chars: &[char], candidate: &Candidate, url_ranges: &[(usize, usize)]) -> bool {
    let before = char_before(chars, candidate.start, 1);
    let before2 = char_before(chars, candidate.start, 2);
    let after = chars.get(candidate.end).copied();
    let after2 = chars.get(candidate.end + 1).copied();
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    let joiner = |c: Option<char>| c.is_some_and(|c| NUMBER_JOINERS.contains(&c));
    let in_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    in_word(before)
        || in_word(after)
        || matches!(after, Some('%' | '@'))
        || before == Some('+')
        || (joiner(before) && digit(before2))
        || (joiner(after) && digit(after2))
        || near_currency(chars, candidate)
        || url_ranges
            .iter()
            .any(|(start, end)| candidate.start < *end && *start < candidate.end)
}

/// A currency sign right before or after the number (a space allowed in between).
fn near_currency(chars: &[char], candidate: &Candidate) -> bool {
    let is_currency = |c: Option<char>| c.is_some_and(|c| CURRENCY.contains(&c));
    let before = char_before(chars, candidate.start, 1);
    let before = if matches!(before, Some(' ' | '\u{a0}')) {
        char_before(chars, candidate.start, 2)
    } else {
        before
    };
    let after = chars.get(candidate.end).copied();
    let after = if matches!(after, Some(' ' | '\u{a0}')) {
        chars.get(candidate.end + 1).copied()
    } else {
        after
    };
    is_currency(before) || is_currency(after)
}

fn looks_like_year(digits: &str) -> bool {
    digits.len() == 4
        && digits
            .parse::<u32>()
            .is_ok_and(|n| (1900..=2099).contains(&n))
}

fn alone_on_line(chars: &[char], candidate: &Candidate) -> bool {
    let blank_to = |range: Option<&[char]>| {
        range.is_some_and(|range| {
            range
                .iter()
                .rev()
                .take_while(|c| **c != '\n')
                .all(|c| c.is_whitespace())
        })
    };
    let blank_after = chars.get(candidate.end..).is_some_and(|rest| {
        rest.iter()
            .take_while(|c| **c != '\n')
            .all(|c| c.is_whitespace())
    });
    blank_to(chars.get(..candidate.start)) && blank_after
}

fn char_before(chars: &[char], index: usize, distance: usize) -> Option<char> {
    index
        .checked_sub(distance)
        .and_then(|i| chars.get(i))
        .copied()
}

fn is_word_char(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric())
}

fn to_i64(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// Converts byte ranges of `text` into character ranges.
fn char_ranges(text: &str, byte_ranges: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let to_char = |byte: usize| text.get(..byte).map_or(0, |prefix| prefix.chars().count());
    byte_ranges
        .iter()
        .map(|(start, end)| (to_char(*start), to_char(*end)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_range_is_made_sane() {
        let finder = CodeFinder::new().length(0..=0);
        assert_eq!((finder.min_len, finder.max_len), (1, 1));
        let (start, end) = (6, 2);
        let finder = CodeFinder::new().length(start..=end);
        assert_eq!((finder.min_len, finder.max_len), (6, 6));
    }

    #[test]
    fn three_groups_are_not_a_code() {
        assert_eq!(one_time_code("call 555 123 4567"), None);
        assert_eq!(one_time_code("card 4111 1111 1111 1111"), None);
    }
}
