#!/usr/bin/env python3
"""Write a hostile .xlsx (a zip bomb) for the e2e cases, in about a second.

    python3 zipbomb.py OUT.xlsx MODE

A real workbook (content types, rels, workbook, one sheet "Sheet1" with the
header 企业名称 and one enterprise) whose worksheet or shared strings inflate
far beyond the file's size. Every zip entry is honest (sizes and CRCs match)
except in mode "lying-size". Deflate with a full flush after each repeated
chunk makes every chunk compress to the same bytes, so the file is built by
repetition instead of by compressing gigabytes.

MODE:
  over-limit   the worksheet inflates to 3 GiB of white space (past the 2 GiB part limit)
  whitespace   the worksheet inflates to 1 GiB of white space (under the limit)
  shared       4096 shared strings of 256 KiB - 1 bytes each: 1 GiB of shared text
               from a 1.2 MB file, none of them used by the sheet
  lying-size   the zip directory says the worksheet is 1000 bytes; it inflates to 64 MiB
"""
import struct
import sys
import zlib

MIB = 1 << 20


def deflate_repeat(head, chunk, n, tail):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = [c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)]
    one = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    out.append(one * n)
    out.append(c.compress(tail) + c.flush())
    crc = zlib.crc32(head)
    for _ in range(n):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    return b"".join(out), crc & 0xFFFFFFFF, len(head) + len(chunk) * n + len(tail)


def deflated(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(), zlib.crc32(data) & 0xFFFFFFFF, len(data)


def zip_bytes(entries):
    data, cd = b"", b""
    for name, (comp, crc, usize) in entries:
        nb = name.encode()
        off = len(data)
        data += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(comp),
                            usize, len(nb), 0) + nb + comp
        cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc,
                          len(comp), usize, len(nb), 0, 0, 0, 0, 0, off) + nb
    return data + cd + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries),
                                   len(cd), len(data), 0)


NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="' + REL +
    '/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook ' + NS + ' xmlns:r="' + REL + '"><sheets>'
    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="' + REL + '/worksheet" '
    'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="' + REL + '/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>')
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><worksheet ' + NS + '><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>企业名称</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>杭州炸弹测试有限公司</t></is></c></row>').encode()
SHEET_TAIL = b"</sheetData></worksheet>"


def main():
    out, mode = sys.argv[1], sys.argv[2]
    entries = [("[Content_Types].xml", deflated(CONTENT_TYPES.encode())),
               ("_rels/.rels", deflated(ROOT_RELS.encode())),
               ("xl/workbook.xml", deflated(WORKBOOK.encode())),
               ("xl/_rels/workbook.xml.rels", deflated(WORKBOOK_RELS.encode()))]
    if mode == "over-limit":
        sheet = deflate_repeat(SHEET_HEAD, b" " * MIB, 3 * 1024, SHEET_TAIL)
    elif mode == "whitespace":
        sheet = deflate_repeat(SHEET_HEAD, b" " * MIB, 1024, SHEET_TAIL)
    elif mode == "shared":
        sst = deflate_repeat(b'<?xml version="1.0" encoding="UTF-8"?><sst ' + NS.encode() + b'>',
                             b"<si><t>" + b"A" * (256 * 1024 - 1) + b"</t></si>", 4096, b"</sst>")
        entries.append(("xl/sharedStrings.xml", sst))
        sheet = deflated(SHEET_HEAD + SHEET_TAIL)
    elif mode == "lying-size":
        comp, crc, _ = deflate_repeat(SHEET_HEAD, b" " * MIB, 64, SHEET_TAIL)
        sheet = (comp, crc, 1000)
    else:
        sys.exit("zipbomb.py: unknown mode " + mode)
    entries.append(("xl/worksheets/sheet1.xml", sheet))
    with open(out, "wb") as f:
        f.write(zip_bytes(entries))


if __name__ == "__main__":
    main()
