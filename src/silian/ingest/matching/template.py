"""The matching workbook's template (学生与岗位匹配模板.xlsx): a 学生 sheet and a 岗位 sheet with Chinese headers, code
columns formatted as text, an example row each, and a 说明 sheet saying what every column means and how seats
rank students. :func:`silian.ingest.matching.workbook.read_match_workbook` reads it back."""

from __future__ import annotations

import io

from silian.ingest.matching.workbook import (
    POSITION_CAPACITY,
    POSITION_EMPLOYER,
    POSITION_ID,
    POSITION_NAME,
    STUDENT_ID,
    STUDENT_NAME,
    STUDENT_SCORE,
)

CHOICES = 5
STUDENT_HEADERS = [STUDENT_ID[0], STUDENT_NAME[0], STUDENT_SCORE[0], *(f"志愿{i}" for i in range(1, CHOICES + 1))]
POSITION_HEADERS = [POSITION_ID[0], POSITION_NAME[0], POSITION_EMPLOYER[0], POSITION_CAPACITY[0]]
STUDENT_EXAMPLES = [["S001", "张三", "86.5", "P01", "P02", "", "", ""],
                    ["S002", "李四", "91", "P01", "", "", "", ""],
                    ["S003", "王五", "78", "P02", "P01", "", "", ""]]
POSITION_EXAMPLES = [["P01", "数控车工订单班", "示例装备制造有限公司", "1"], ["P02", "汽车维修学徒岗", "示例汽车服务有限公司", "2"]]
TEXT_COLUMNS = {STUDENT_ID[0], POSITION_ID[0], *(f"志愿{i}" for i in range(1, CHOICES + 1))}
INSTRUCTIONS = [
    ["工作表 / 列", "必填", "说明"],
    ["学生 › 学生编号", "是", "每名学生一个编号（学号等），不能重复；文本格式，前导 0 会保留"],
    ["学生 › 姓名", "", "只用于结果表，不参与匹配"],
    ["学生 › 成绩", "", "数字，如 86.5。岗位按成绩从高到低录取；没有成绩的学生排在有成绩的之后，同分按表中先后"],
    ["学生 › 志愿1…志愿5", "至少一个", "按先后填写岗位编号（“岗位”表中的编号），每个岗位只能填一次；需要更多志愿可加“志愿6”等列"],
    ["岗位 › 岗位编号", "是", "每个岗位（订单班、学徒岗、实习岗）一个编号，不能重复；文本格式"],
    ["岗位 › 岗位名称、企业", "", "只用于结果表"],
    ["岗位 › 名额", "是", "不小于 0 的整数"],
    [],
    ["匹配方法", "", "延迟接受算法（学生提出、岗位按成绩择优）：结果稳定，且在所有稳定结果中对每名学生最好"],
    ["也可以", "", "分别上传学生文件和岗位文件（.xlsx 或 .csv，UTF-8、UTF-8-BOM、GBK 均可），列名同上"],
    ["示例", "", "两张表中的示例行（S001–S003、P01–P02）请删除后再填写自己的数据"],
    [],
    ["Sheet / column", "Required", "What it means"],
    ["学生 › 学生编号 (student_id)", "yes", "one code per student, unique; kept as text"],
    ["学生 › 成绩 (score)", "", "a number; seats take students by score, highest first (no score: after those with one)"],
    ["学生 › 志愿1… (choice_1…)", "one or more", "position codes, best first, each once"],
    ["岗位 › 岗位编号 (position_id)", "yes", "one code per seat group, unique"],
    ["岗位 › 名额 (capacity)", "yes", "a whole number ≥ 0"],
]


def match_template() -> bytes:
    """The template's .xlsx bytes."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    header = book.add_format({"bold": True, "font_color": "#C00000", "bg_color": "#FDE9E7", "border": 1})
    optional = book.add_format({"bold": True, "bg_color": "#EEF3FA", "border": 1})
    text = book.add_format({"num_format": "@"})
    required = {STUDENT_ID[0], "志愿1", POSITION_ID[0], POSITION_CAPACITY[0]}
    for name, headers, rows in (("学生", STUDENT_HEADERS, STUDENT_EXAMPLES), ("岗位", POSITION_HEADERS, POSITION_EXAMPLES)):
        sheet = book.add_worksheet(name)
        for col, title in enumerate(headers):
            sheet.write_string(0, col, title, header if title in required else optional)
            sheet.set_column(col, col, 14 if title != POSITION_EMPLOYER[0] else 24, text if title in TEXT_COLUMNS else None)
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if not value:
                    continue
                if headers[col] in (STUDENT_SCORE[0], POSITION_CAPACITY[0]):
                    sheet.write_number(r, col, float(value))
                else:
                    sheet.write_string(r, col, value, text if headers[col] in TEXT_COLUMNS else None)
        sheet.freeze_panes(1, 0)
    about = book.add_worksheet("说明")
    for r, row in enumerate(INSTRUCTIONS):
        for col, value in enumerate(row):
            about.write_string(r, col, value)
    about.set_column(0, 0, 30)
    about.set_column(1, 1, 10)
    about.set_column(2, 2, 90)
    book.close()
    return out.getvalue()
