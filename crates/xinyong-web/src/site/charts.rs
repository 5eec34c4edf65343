//! Charts as server-rendered SVG: the geometry is computed here, the template writes the
//! elements. No script, no inline style (the CSP forbids both); colours come from classes in
//! `site.css`. Each chart is paired with its data table for screen readers and for copying.

/// Width of the SVG coordinate system; the image scales to its container.
const WIDTH: u32 = 720;

/// Width of the bar charts' coordinate system: narrower than the column chart's, so that
/// their labels stay legible when a phone scales the image down.
const BAR_WIDTH: u32 = 480;

/// One horizontal bar, its label above it.
pub struct Bar {
    pub label: String,
    pub value: u64,
    pub y: u32,
    pub width: u32,
    pub text_y: u32,
    pub value_x: u32,
}

/// Horizontal bars: one per label, longest first.
pub struct BarChart {
    pub id: String,
    pub title: String,
    pub width: u32,
    pub height: u32,
    pub bar_height: u32,
    pub bars: Vec<Bar>,
}

impl BarChart {
    /// Each label is written above its bar, across the whole width, so that no name is cut
    /// (issue #16: long category names were clipped at the chart's left edge).
    pub fn new(id: &str, title: &str, data: Vec<(String, u64)>) -> BarChart {
        let bar_height = 16;
        let step = 46;
        let max = data.iter().map(|d| d.1).max().unwrap_or(0).max(1);
        let span = BAR_WIDTH - 90;
        let bars = data
            .into_iter()
            .enumerate()
            .map(|(i, (label, value))| {
                let i = u32::try_from(i).unwrap_or(0);
                let width = scale(value, max, span);
                Bar {
                    label,
                    value,
                    y: 26 + i * step,
                    width,
                    text_y: 20 + i * step,
                    value_x: width + 6,
                }
            })
            .collect::<Vec<_>>();
        let n = u32::try_from(bars.len()).unwrap_or(0);
        BarChart {
            id: id.to_owned(),
            title: title.to_owned(),
            width: BAR_WIDTH,
            height: 10 + n * step,
            bar_height,
            bars,
        }
    }
}

/// One vertical column.
pub struct Column {
    pub label: String,
    pub value: u64,
    pub x: u32,
    pub y: u32,
    pub height: u32,
    /// Axis label under this column, if it gets one (every third month).
    pub tick: Option<String>,
    pub tick_x: u32,
}

/// Vertical columns over time.
pub struct ColumnChart {
    pub id: String,
    pub title: String,
    pub width: u32,
    pub height: u32,
    pub base: u32,
    pub column_width: u32,
    pub max: u64,
    pub columns: Vec<Column>,
}

impl ColumnChart {
    pub fn new(id: &str, title: &str, data: Vec<(String, u64)>) -> ColumnChart {
        let plot = 200;
        let top = 20;
        let left = 50;
        let n = u32::try_from(data.len()).unwrap_or(1).max(1);
        let step = (WIDTH - left - 10) / n;
        let column_width = step.saturating_sub(4).max(2);
        let max = data.iter().map(|d| d.1).max().unwrap_or(0).max(1);
        let base = top + plot;
        let columns = data
            .into_iter()
            .enumerate()
            .map(|(i, (label, value))| {
                let i = u32::try_from(i).unwrap_or(0);
                let height = scale(value, max, plot);
                let x = left + i * step;
                Column {
                    tick: (i % 3 == 0).then(|| label.clone()),
                    tick_x: x + column_width / 2,
                    label,
                    value,
                    x,
                    y: base - height,
                    height,
                }
            })
            .collect();
        ColumnChart {
            id: id.to_owned(),
            title: title.to_owned(),
            width: WIDTH,
            height: base + 34,
            base,
            column_width,
            max,
            columns,
        }
    }
}

fn scale(value: u64, max: u64, span: u32) -> u32 {
    let v = value.saturating_mul(u64::from(span)) / max.max(1);
    let v = u32::try_from(v).unwrap_or(span);
    if value > 0 { v.max(1) } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value() {
        let c = BarChart::new(
            "c",
            "t",
            vec![("a".into(), 10), ("b".into(), 5), ("c".into(), 0)],
        );
        assert_eq!(c.bars[0].width, 390);
        assert_eq!(c.bars[1].width, 195);
        assert_eq!(c.bars[2].width, 0);
        let m = ColumnChart::new("m", "t", vec![("2026-01".into(), 4), ("2026-02".into(), 1)]);
        assert_eq!(m.columns[0].height, 200);
        assert_eq!(m.columns[0].y, 20);
        assert_eq!(m.columns[1].height, 50);
        assert!(m.columns[0].tick.is_some() && m.columns[1].tick.is_none());
    }
}
