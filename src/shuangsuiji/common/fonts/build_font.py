"""Rebuilds NotoSansSC-GB2312.otf, the Chinese font embedded in our PDFs (run by hand, not at run time).

Source: Noto Sans CJK SC Regular (SIL Open Font License 1.1, see OFL.txt), e.g. from Debian's
fonts-noto-cjk (``apt-get install fonts-noto-cjk``). The font is subset to the GB 2312 character set,
ASCII, Latin-1, CJK punctuation and full-width forms so that it stays small (about 3 MB)::

    python src/shuangsuiji/common/fonts/build_font.py [/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc]
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "NotoSansSC-GB2312.otf"
DEFAULT_SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FAMILY = "Noto Sans CJK SC"


def gb2312_characters() -> set[int]:
    chars: set[int] = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([high, low]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return chars


def wanted_codepoints() -> set[int]:
    chars = gb2312_characters()
    chars |= set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    chars |= set(range(0x2000, 0x2070))  # general punctuation (— … ‘ ’ “ ” ‰)
    chars |= set(range(0x2100, 0x2200)) | set(range(0x2460, 0x24FF))  # ℃ № ① …
    chars |= set(range(0x3000, 0x3040))  # CJK symbols and punctuation (、。〔〕《》「」)
    chars |= set(range(0xFF00, 0xFFF0))  # full-width forms (，：；（）)
    chars |= {ord(c) for c in "〇㎡㎏㎝㎜"}
    return chars


def load_source(path: str) -> TTFont:
    if path.endswith(".ttc"):
        for font in TTCollection(path).fonts:
            if font["name"].getDebugName(1) == FAMILY:
                return font
        raise SystemExit(f"{FAMILY} not found in {path}")
    return TTFont(path)


def main(argv: list[str]) -> None:
    source = argv[1] if len(argv) > 1 else DEFAULT_SOURCE
    font = load_source(source)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=sorted(wanted_codepoints()))
    subsetter.subset(font)
    font.save(str(OUTPUT))
    print(f"{OUTPUT.name}: {OUTPUT.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main(sys.argv)
