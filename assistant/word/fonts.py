"""Fonts and indents on raw w:rPr/w:pPr: Chinese fonts only take effect through w:eastAsia, and
theme font attributes would override the named fonts, so they are removed."""

from __future__ import annotations

from docx.oxml.ns import qn
from docx.oxml.parser import OxmlElement
from docx.oxml.text.font import CT_RPr
from docx.oxml.text.parfmt import CT_PPr

BODY_FONT = "仿宋_GB2312"
THEME_ATTRIBUTES = [
    qn(f"w:{name}")
    for name in (
        "asciiTheme",
        "eastAsiaTheme",
        "hAnsiTheme",
        "cstheme",
        "themeColor",
        "themeShade",
        "themeTint",
    )
]


def set_fonts(rpr: CT_RPr, name: str, size: float) -> None:
    """Set the Latin and East Asian font and the size on a w:rPr, with no theme fonts left."""
    fonts = rpr.get_or_add_rFonts()  # the typed getters keep the schema's element order
    for attribute in THEME_ATTRIBUTES:
        fonts.attrib.pop(attribute, None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)
    half_points = str(round(size * 2))
    rpr.get_or_add_sz().set(qn("w:val"), half_points)
    complex_size = rpr.find(qn("w:szCs"))
    if complex_size is None:
        complex_size = OxmlElement("w:szCs")
        rpr.sz.addnext(complex_size)
    complex_size.set(qn("w:val"), half_points)


def set_first_line_indent(ppr: CT_PPr, points: float) -> None:
    """Indent in characters (firstLineChars, as Word's "2 字符"), with points as fallback."""
    indent = ppr.get_or_add_ind()
    indent.set(qn("w:firstLineChars"), "200" if points else "0")
    indent.set(qn("w:firstLine"), str(round(points * 20)))
