//! Annotate, pure: the marks drawn on an image (pen lines, arrows, boxes,
//! text) in image pixels, their colours, and the geometry drawn for them (line
//! width and text size from the image's size, the arrow's head). The same
//! geometry is shown over the image while drawing and flattened into the PNG.

/// The colours offered: (name, CSS colour).
pub const COLOURS: [(&str, &str); 6] = [
    ("Red", "#e53935"),
    ("Yellow", "#fdd835"),
    ("Green", "#43a047"),
    ("Blue", "#1e88e5"),
    ("White", "#ffffff"),
    ("Black", "#000000"),
];

/// A point in image pixels.
pub type Point = (f64, f64);

/// One mark.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    Pen {
        points: Vec<Point>,
        colour: usize,
    },
    Arrow {
        from: Point,
        to: Point,
        colour: usize,
    },
    Box {
        a: Point,
        b: Point,
        colour: usize,
    },
    Text {
        at: Point,
        text: String,
        colour: usize,
    },
}

impl Shape {
    /// Its CSS colour.
    pub fn colour(&self) -> &'static str {
        let i = match self {
            Shape::Pen { colour, .. }
            | Shape::Arrow { colour, .. }
            | Shape::Box { colour, .. }
            | Shape::Text { colour, .. } => *colour,
        };
        COLOURS.get(i).map_or(COLOURS[0].1, |c| c.1)
    }
}

/// The stroke width for an image of `w`×`h`: visible at any size.
pub fn line_width(w: u32, h: u32) -> f64 {
    (f64::from(w.min(h)) / 160.0).max(2.0)
}

/// The text size (pixels) for an image of `w`×`h`.
pub fn font_size(w: u32, h: u32) -> f64 {
    (f64::from(w.min(h)) / 18.0).max(12.0)
}

/// The arrow's head: the tip and the two barb ends, sized by the line width.
pub fn arrow_head(from: Point, to: Point, width: f64) -> [Point; 3] {
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let len = dx.hypot(dy);
    let (ux, uy) = if len > 0.0 {
        (dx / len, dy / len)
    } else {
        (1.0, 0.0)
    };
    let size = width * 4.0;
    let back = (to.0 - ux * size, to.1 - uy * size);
    let (px, py) = (-uy * size * 0.6, ux * size * 0.6);
    [to, (back.0 + px, back.1 + py), (back.0 - px, back.1 - py)]
}

/// The rectangle between two corners: (left, top, width, height).
pub fn rect(a: Point, b: Point) -> (f64, f64, f64, f64) {
    (
        a.0.min(b.0),
        a.1.min(b.1),
        (a.0 - b.0).abs(),
        (a.1 - b.1).abs(),
    )
}

/// SVG `points` for a polyline.
pub fn svg_points(points: &[Point]) -> String {
    points
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_arrow_head_points_along_the_arrow() {
        let [tip, l, r] = arrow_head((0.0, 0.0), (100.0, 0.0), 2.0);
        assert_eq!(tip, (100.0, 0.0));
        assert_eq!(l, (92.0, 4.8));
        assert_eq!(r, (92.0, -4.8));
        // A zero-length arrow still has a head.
        let [_, l, _] = arrow_head((5.0, 5.0), (5.0, 5.0), 2.0);
        assert!(l.0 < 5.0);
    }

    #[test]
    fn sizes_follow_the_image() {
        assert_eq!(line_width(1600, 900), 5.625);
        assert_eq!(line_width(64, 64), 2.0);
        assert_eq!(font_size(1800, 1800), 100.0);
        assert_eq!(rect((10.0, 2.0), (4.0, 8.0)), (4.0, 2.0, 6.0, 6.0));
        assert_eq!(svg_points(&[(1.0, 2.0), (3.26, 4.0)]), "1.0,2.0 3.3,4.0");
    }

    #[test]
    fn colours_fall_back_to_the_first() {
        let s = Shape::Box {
            a: (0.0, 0.0),
            b: (1.0, 1.0),
            colour: 99,
        };
        assert_eq!(s.colour(), "#e53935");
    }
}
