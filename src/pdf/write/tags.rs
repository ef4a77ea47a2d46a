//! The structure tree of a tagged PDF (PDF/UA-1, ISO 14289-1): elements arrive in reading
//! order as marks of the pages (`Mark::Open`, `Mark::Close`, and `Mark::Tag` for the
//! element the following content belongs to); the encoder turns content into marked-content
//! sequences with MCIDs, and the writer here ties them to elements.
//!
//! The tree streams like the pages: an element's object number is reserved when it opens
//! (so its parent and children can refer to it), and the element is written when it
//! closes. Only the open elements, and for each page the owners of its MCIDs (the
//! `ParentTree`, written at the end), stay in memory.

use super::{chunk, internal, milli, pdf_y, r, Diagnostic};
use crate::pdf::length::Pt;
use pdf_writer::types::{StructRole, TableHeaderScope};
use pdf_writer::{Chunk, Finish, Name, Rect, Str, TextStr};
use rustc_hash::FxHashMap;

/// Content that is not part of the text: decoration, rules.
pub(crate) const ARTIFACT: u32 = 0;
/// Running heads: pagination artifacts at the top of the page.
pub(crate) const HEADER: u32 = 1;
/// Folios: pagination artifacts at the foot of the page.
pub(crate) const FOOTER: u32 = 2;
/// The root element, `Document`, which the writer makes itself.
pub(crate) const DOCUMENT: u32 = 3;
/// The first key the layout gives an element.
pub(crate) const FIRST_KEY: u32 = 16;

/// The type of a structure element (ISO 32000-1, 14.8.4), as layout names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A part of the book.
    Part,
    /// A speech, a chapter, the title page, the copyright page, the contents.
    Sect,
    /// A heading of level 1 to 6.
    H(u8),
    /// A paragraph.
    P,
    /// A quotation set off from the text.
    BlockQuote,
    /// A list, its items, their labels (numbers, bullets) and bodies.
    L,
    /// A list item.
    LI,
    /// A list item's label.
    Lbl,
    /// A list item's body.
    LBody,
    /// A table, its rows and cells.
    Table,
    /// A table row.
    TR,
    /// A header cell (its scope is the column).
    TH,
    /// A data cell.
    TD,
    /// An image, with alternative text and a bounding box.
    Figure,
    /// A figure's caption.
    Caption,
    /// A footnote.
    Note,
    /// A link, with the annotation that makes it clickable.
    Link,
    /// The contents and its entries.
    Toc,
    /// An entry of the contents.
    Toci,
    /// Code.
    Code,
    /// Text in another language than the element it is in (with its `Lang`).
    Span,
    /// Not an element: what layout marks so is painted as an artifact (a thematic break's
    /// asterisks).
    Artifact,
}

impl Role {
    fn pdf(self) -> StructRole {
        match self {
            Role::Part => StructRole::Part,
            Role::Sect => StructRole::Sect,
            Role::H(1) => StructRole::H1,
            Role::H(2) => StructRole::H2,
            Role::H(3) => StructRole::H3,
            Role::H(4) => StructRole::H4,
            Role::H(5) => StructRole::H5,
            Role::H(_) => StructRole::H6,
            Role::P => StructRole::P,
            Role::BlockQuote => StructRole::BlockQuote,
            Role::L => StructRole::L,
            Role::LI => StructRole::LI,
            Role::Lbl => StructRole::Lbl,
            Role::LBody => StructRole::LBody,
            Role::Table => StructRole::Table,
            Role::TR => StructRole::TR,
            Role::TH => StructRole::TH,
            Role::TD => StructRole::TD,
            Role::Figure => StructRole::Figure,
            Role::Caption => StructRole::Caption,
            Role::Note => StructRole::Note,
            Role::Link => StructRole::Link,
            Role::Toc => StructRole::TOC,
            Role::Toci => StructRole::TOCI,
            Role::Code => StructRole::Code,
            Role::Span => StructRole::Span,
            // Never written: layout turns it into artifact content.
            Role::Artifact => StructRole::NonStruct,
        }
    }
}

/// A structure element as layout describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Elem {
    /// Its type.
    pub role: Role,
    /// Alternative text (figures).
    pub alt: Option<String>,
    /// Its language, where it is not its parent's (a BCP 47 tag).
    pub lang: Option<String>,
    /// Its identifier (footnotes: unique in the file).
    pub id: Option<String>,
    /// Its bounding box on the page (figures): left, top, right, bottom, with `y` measured
    /// from the page's top edge as layout does.
    pub bbox: Option<[Pt; 4]>,
    /// The element (by key) it follows in its parent, rather than the parent's last child:
    /// a footnote, set at the foot of the page, comes after the paragraph that calls it.
    pub after: Option<u32>,
}

impl Elem {
    /// An element of type `role` with nothing else said.
    pub(crate) fn of(role: Role) -> Elem {
        Elem { role, alt: None, lang: None, id: None, bbox: None, after: None }
    }
}

/// What a page's content stream says about the structure, in reading order.
#[derive(Debug, Clone)]
pub(crate) enum Event {
    Open {
        key: u32,
        parent: u32,
        elem: Box<Elem>,
    },
    Close(u32),
    /// The next MCID of the page belongs to this element.
    Mcid(u32),
}

enum Kid {
    /// A child element, and whether it was put after a sibling (a note after its call's
    /// paragraph; later notes after the same paragraph go after it).
    Elem {
        key: u32,
        id: u32,
        after: bool,
    },
    Mcid {
        page: u32,
        mcid: i32,
    },
    Objr {
        page: u32,
        annot: u32,
    },
}

struct Node {
    id: u32,
    parent: u32,
    elem: Elem,
    kids: Vec<Kid>,
    /// The page of its first content (its `/Pg`).
    page: Option<u32>,
    bbox: Option<Rect>,
}

enum Entry {
    Page(Vec<u32>),
    Annot(u32),
}

/// The structure tree being written.
pub(crate) struct Tree {
    doc: u32,
    root: u32,
    doc_kids: Vec<Kid>,
    open: FxHashMap<u32, Node>,
    parent_tree: Vec<(i32, Entry)>,
    next_key: i32,
    /// Elements closed on the page being put, written once its annotations are linked.
    closing: Vec<u32>,
}

impl Tree {
    /// A tree whose `Document` element has object number `doc`, under the
    /// `StructTreeRoot` numbered `root`.
    pub(crate) fn new(doc: u32, root: u32) -> Tree {
        Tree {
            doc,
            root,
            doc_kids: Vec::new(),
            open: FxHashMap::default(),
            parent_tree: Vec::new(),
            next_key: 0,
            closing: Vec::new(),
        }
    }

    /// Take the structure events of page `page` (object number) `height` tall: elements
    /// opened (numbered by `alloc`) and the owners of its MCIDs. Returns the page's
    /// `StructParents` key. Elements closed on it are written by [`Tree::end_page`].
    pub(crate) fn page(
        &mut self,
        page: u32,
        height: Pt,
        events: &[Event],
        mut alloc: impl FnMut() -> u32,
    ) -> Result<i32, Diagnostic> {
        let mut owners = Vec::new();
        for e in events {
            match *e {
                Event::Open { key, parent, ref elem } => {
                    let id = alloc();
                    let parent_id = if parent == DOCUMENT {
                        self.doc
                    } else {
                        self.open.get(&parent).map(|n| n.id).ok_or_else(|| {
                            internal(format!("structure element {key} opened in element {parent}, which is not open"))
                        })?
                    };
                    let kids = match self.open.get_mut(&parent) {
                        Some(n) if parent != DOCUMENT => &mut n.kids,
                        _ => &mut self.doc_kids,
                    };
                    let kid = Kid::Elem { key, id, after: elem.after.is_some() };
                    let sibling = elem.after.and_then(|a| {
                        kids.iter().position(|k| matches!(k, Kid::Elem { key: other, .. } if *other == a))
                    });
                    match sibling {
                        Some(mut at) => {
                            at += 1;
                            while matches!(kids.get(at), Some(Kid::Elem { after: true, .. })) {
                                at += 1;
                            }
                            kids.insert(at, kid);
                        }
                        None => kids.push(kid),
                    }
                    let bbox = elem.bbox.map(|[x0, top, x1, bottom]| {
                        Rect::new(
                            milli(x0.get()),
                            milli(pdf_y(height, bottom)),
                            milli(x1.get()),
                            milli(pdf_y(height, top)),
                        )
                    });
                    self.open.insert(
                        key,
                        Node { id, parent: parent_id, elem: (**elem).clone(), kids: Vec::new(), page: None, bbox },
                    );
                }
                Event::Close(key) => self.closing.push(key),
                Event::Mcid(key) => {
                    let mcid = owners.len() as i32;
                    let node = self
                        .open
                        .get_mut(&key)
                        .ok_or_else(|| internal(format!("content of structure element {key}, which is not open")))?;
                    node.kids.push(Kid::Mcid { page, mcid });
                    node.page.get_or_insert(page);
                    owners.push(node.id);
                }
            }
        }
        let key = self.next_key;
        self.next_key += 1;
        self.parent_tree.push((key, Entry::Page(owners)));
        Ok(key)
    }

    /// Annotation `annot` on page `page` belongs to element `key`: an `OBJR` in it, and the
    /// annotation's `StructParent` key, which is returned.
    pub(crate) fn annotation(&mut self, key: u32, page: u32, annot: u32) -> Result<i32, Diagnostic> {
        let node = self
            .open
            .get_mut(&key)
            .ok_or_else(|| internal(format!("a link annotation of structure element {key}, which is not open")))?;
        node.kids.push(Kid::Objr { page, annot });
        node.page.get_or_insert(page);
        let k = self.next_key;
        self.next_key += 1;
        self.parent_tree.push((k, Entry::Annot(node.id)));
        Ok(k)
    }

    /// The object number of the `Document` element.
    pub(crate) fn doc(&self) -> u32 {
        self.doc
    }

    /// Whether element `key` is open (annotations may only go into open elements).
    pub(crate) fn is_open(&self, key: u32) -> bool {
        self.open.contains_key(&key)
    }

    /// The elements closed on the page just put, as chunks to write.
    pub(crate) fn end_page(&mut self) -> Vec<Chunk> {
        let closing = std::mem::take(&mut self.closing);
        closing.into_iter().filter_map(|k| self.open.remove(&k)).map(|n| element(&n)).collect()
    }

    /// The elements left open (in the order of their keys), the `Document` element and the
    /// `ParentTree`, as chunks; and the key the next `StructParent(s)` would get.
    pub(crate) fn close_all(&mut self, parent_tree: u32) -> (Vec<Chunk>, i32) {
        let mut left: Vec<(u32, Node)> = self.open.drain().collect();
        left.sort_by_key(|(k, _)| *k);
        let mut chunks: Vec<Chunk> = left.iter().map(|(_, n)| element(n)).collect();
        let mut c = chunk();
        let mut doc = c.struct_element(r(self.doc));
        doc.kind(StructRole::Document).parent(r(self.root));
        write_kids(&mut doc, &self.doc_kids, None);
        doc.finish();
        chunks.push(c);
        let mut c = Chunk::with_settings_and_capacity(
            pdf_writer::Settings { pretty: false },
            64 + self
                .parent_tree
                .iter()
                .map(|(_, e)| if let Entry::Page(v) = e { 8 * v.len() + 16 } else { 24 })
                .sum::<usize>(),
        );
        let mut tree = c.indirect(r(parent_tree)).dict();
        let mut nums = tree.insert(Name(b"Nums")).array();
        for (k, e) in &self.parent_tree {
            nums.item(*k);
            match e {
                Entry::Page(owners) => {
                    nums.push().array().items(owners.iter().map(|o| r(*o)));
                }
                Entry::Annot(owner) => {
                    nums.item(r(*owner));
                }
            }
        }
        nums.finish();
        tree.finish();
        chunks.push(c);
        (chunks, self.next_key)
    }
}

fn write_kids(el: &mut pdf_writer::writers::StructElement<'_>, kids: &[Kid], page: Option<u32>) {
    let mut k = el.children();
    for kid in kids {
        match kid {
            Kid::Elem { id, .. } => {
                k.struct_element(r(*id));
            }
            Kid::Mcid { page: p, mcid } if Some(*p) == page => {
                k.marked_content_id(*mcid);
            }
            Kid::Mcid { page: p, mcid } => {
                k.marked_content_ref().page(r(*p)).marked_content_id(*mcid);
            }
            Kid::Objr { page: p, annot } => {
                k.object_ref().page(r(*p)).object(r(*annot));
            }
        }
    }
}

/// An element's dictionary.
fn element(n: &Node) -> Chunk {
    let mut c = Chunk::with_settings_and_capacity(pdf_writer::Settings { pretty: false }, 128 + 12 * n.kids.len());
    let mut el = c.struct_element(r(n.id));
    el.kind(n.elem.role.pdf()).parent(r(n.parent));
    if let Some(p) = n.page {
        el.page(r(p));
    }
    if let Some(l) = &n.elem.lang {
        el.lang(TextStr(l));
    }
    if let Some(a) = &n.elem.alt {
        el.alt(TextStr(a));
    }
    if let Some(id) = &n.elem.id {
        el.id(Str(id.as_bytes()));
    }
    match (n.elem.role, n.bbox) {
        (Role::TH, _) => {
            el.attributes().push().table().scope(TableHeaderScope::Column);
        }
        (_, Some(b)) => {
            el.attributes().push().layout().bbox(b);
        }
        _ => {}
    }
    write_kids(&mut el, &n.kids, n.page);
    el.finish();
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(key: u32, parent: u32, role: Role, after: Option<u32>) -> Event {
        Event::Open { key, parent, elem: Box::new(Elem { after, ..Elem::of(role) }) }
    }

    /// A note opened after its paragraph goes right behind it (and behind notes already
    /// there), not at the end of the section; MCIDs go to their elements in order.
    #[test]
    fn notes_follow_the_paragraph_that_calls_them() {
        let mut next = 100;
        let mut alloc = || {
            next += 1;
            next
        };
        let mut t = Tree::new(1, 2);
        let events = vec![
            open(20, DOCUMENT, Role::Sect, None),
            open(21, 20, Role::P, None),
            Event::Mcid(21),
            Event::Close(21),
            open(22, 20, Role::P, None),
            Event::Mcid(22),
            open(30, 20, Role::Note, Some(21)),
            Event::Mcid(30),
            Event::Close(30),
            open(31, 20, Role::Note, Some(21)),
            Event::Mcid(31),
            Event::Close(31),
        ];
        assert_eq!(t.page(50, Pt::new(800.0), &events, &mut alloc).unwrap(), 0);
        let sect = &t.open[&20];
        let order: Vec<u32> =
            sect.kids.iter().filter_map(|k| if let Kid::Elem { key, .. } = k { Some(*key) } else { None }).collect();
        assert_eq!(order, [21, 30, 31, 22]);
        let written = t.end_page();
        assert_eq!(written.len(), 3, "the first paragraph and the notes close with the page");
        let p = String::from_utf8_lossy(written[0].as_bytes()).into_owned();
        assert!(p.contains("/S/P") && p.contains("/K[0]") && p.contains("/Pg 50 0 R"), "{p}");
        // Content of an element that is not open is an internal error, not a lost MCID.
        assert!(t.page(51, Pt::new(800.0), &[Event::Mcid(21)], &mut alloc).is_err());
        let (chunks, next_key) = t.close_all(9);
        assert_eq!(next_key, 1, "one page so far (the failed one took no key)");
        let tree = String::from_utf8_lossy(chunks.last().unwrap().as_bytes()).into_owned();
        assert!(tree.contains("/Nums[0["), "{tree}");
    }
}
