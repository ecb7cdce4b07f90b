"""User-facing messages in Simplified Chinese (default) and English, by key.

The language in force is a context variable, set once by the CLI (``--lang``) or the web layer.
"""

from __future__ import annotations

from contextvars import ContextVar

current_lang: ContextVar[str] = ContextVar("silian_lang", default="zh")

MESSAGES: dict[str, tuple[str, str]] = {
    "list_joiner": ("、", ", "),
    # ---- import: file level
    "file_missing": ("找不到文件：{path}", "File not found: {path}"),
    "file_empty": ("文件是空的：{path}", "The file is empty: {path}"),
    "file_too_big": (
        "文件过大（{size} 字节，上限 {limit} 字节）：{path}",
        "The file is too large ({size} bytes, limit {limit}): {path}",
    ),
    "file_not_spreadsheet": (
        "不是可读取的表格文件（支持 .xlsx、.csv）：{path}",
        "Not a spreadsheet this program can read (.xlsx or .csv): {path}",
    ),
    "file_bad_encoding": (
        "无法识别文件编码（支持 UTF-8、UTF-8-BOM、GBK、UTF-16）：{path}",
        "Cannot recognise the file's encoding (UTF-8, UTF-8 with BOM, GBK and UTF-16 are supported): {path}",
    ),
    "file_unreadable": ("文件无法读取：{path}（{detail}）", "The file cannot be read: {path} ({detail})"),
    "sheet_missing": (
        "工作簿中没有名为“{sheet}”的工作表；现有工作表：{sheets}",
        "The workbook has no sheet named '{sheet}'; its sheets are: {sheets}",
    ),
    "xlsx_merged": (
        ("工作表“{sheet}”含有合并单元格（{ranges}）：合并的单元格只在第一格有值，其余行会读成空值。请选中这些区域，"
        "取消合并（开始 → 合并后居中 → 取消单元格合并），并把值填到每一行后重新上传：{path}"),
        ("Sheet '{sheet}' has merged cells ({ranges}): a merged block holds its value in its first cell only, so the other "
        "rows would read as empty. Unmerge them (Home → Merge & Center → Unmerge Cells), fill the value into every row "
        "and upload again: {path}"),
    ),
    "xlsx_more_merged": (" 等共 {count} 处", " and more, {count} in all"),
    "no_rows": ("文件中没有数据行：{path}", "The file has no data rows: {path}"),
    "missing_columns": (
        "缺少必填列：{columns}",
        "Required columns are missing: {columns}",
    ),
    "missing_columns_fix": (
        "请使用 `silian template {table}` 生成的模板，表头须与模板一致",
        "Use the template from `silian template {table}`; headers must match it",
    ),
    "unknown_columns": ("无法识别的列（已忽略）：{columns}", "Unrecognised columns (ignored): {columns}"),
    "wrong_table_fix": (
        "这看起来是“{zh}”表的文件（表头与之相符）：请导入到“{zh}”（{table}），或使用本表的模板",
        "This looks like a file for the “{en}” table (its headers match): import it into {table}, or use this table's template",
    ),
    "rejected": (
        "文件被拒绝：发现 {count} 个问题，数据库未做任何修改。",
        "File rejected: {count} problems found; the database was not changed.",
    ),
    "rejected_truncated": ("（问题过多，只列出前 {count} 个）", "(too many problems; the first {count} are listed)"),
    "unknown_table": (
        "未知的数据表：{table}。可用：{tables}",
        "Unknown table: {table}. Available: {tables}",
    ),
    "unsupported_export": (
        "不支持的导出格式：{path}（请用 .xlsx 或 .csv）",
        "Unsupported export format: {path} (use .xlsx or .csv)",
    ),
    # ---- import: cell level (message, fix)
    "required": ("必填项为空", "A required value is empty"),
    "required_fix": ("请填写“{column}”", "Fill in '{column}'"),
    "not_integer": ("不是整数", "Not a whole number"),
    "not_integer_fix": ("请填写不带小数和单位的整数，如 120", "Enter a whole number without units, e.g. 120"),
    "not_number": ("不是数字", "Not a number"),
    "not_number_fix": ("请填写数字，不带单位，如 35.5", "Enter a number without units, e.g. 35.5"),
    "not_bool": ("不是“是/否”", "Not yes/no"),
    "not_bool_fix": ("请填写“是”或“否”", "Enter 是 (yes) or 否 (no)"),
    "negative": ("不能为负数", "Must not be negative"),
    "negative_fix": ("请填写 0 或正数", "Enter 0 or a positive number"),
    "out_of_range": ("超出范围 {low}–{high}", "Outside the range {low}–{high}"),
    "out_of_range_fix": ("请填写 {low} 到 {high} 之间的值", "Enter a value from {low} to {high}"),
    "not_in_choices": ("不是允许的取值", "Not one of the allowed values"),
    "not_in_choices_fix": ("可选值：{choices}", "Allowed values: {choices}"),
    "unknown_code": ("代码不在{catalog}中", "Code not found in {catalog}"),
    "unknown_code_fix": (
        "请用 `silian catalog search` 查找正确代码",
        "Look up the right code with `silian catalog search`",
    ),
    "unknown_reference": ("在数据库中找不到该{entity}", "No such {entity} in the database"),
    "unknown_reference_fix": (
        "请先导入{entity}（`silian import {table}`），或改正代码",
        "Import the {entity} first (`silian import {table}`) or correct the code",
    ),
    "bad_format": ("格式不正确", "Wrong format"),
    "duplicate_key": ("与第 {first} 行重复（{key}）", "Duplicates row {first} ({key})"),
    "duplicate_key_fix": ("同一{key}只能出现一次，请合并或删除重复行", "Each {key} may appear once: merge or delete"),
    "total_exceeds": (
        "“{part}”（{part_value}）不能大于“{whole}”（{whole_value}）",
        "'{part}' ({part_value}) cannot exceed '{whole}' ({whole_value})",
    ),
    "total_exceeds_fix": ("请核对这两个数", "Check these two numbers"),
    "one_of_required": ("“{a}”和“{b}”至少填写一项", "Fill in at least one of '{a}' and '{b}'"),
    "one_of_required_fix": ("请填写职业代码或专业代码", "Enter an occupation code or a major code"),
    "credit_code_length": ("统一社会信用代码应为 18 位", "A unified social credit code has 18 characters"),
    "credit_code_charset": (
        "含有不允许的字符（不用 I、O、S、V、Z 和小写字母）",
        "Contains characters not allowed (no I, O, S, V, Z or lower case)",
    ),
    "credit_code_authority": ("第 1 位登记管理部门代码无效", "The first character (registration authority) is invalid"),
    "credit_code_region": ("第 3–8 位应为行政区划代码（6 位数字）", "Characters 3–8 must be a 6-digit division code"),
    "credit_code_check": ("校验位错误（应为 {expected}）", "Wrong check character (should be {expected})"),
    "credit_code_fix": (
        "请对照营业执照重新抄写 18 位代码",
        "Copy the 18-character code again from the business licence",
    ),
    "level_mismatch": (
        "专业层次（{major_level}）与学校层次（{school_level}）不符",
        "The major's level ({major_level}) does not match the school's ({school_level})",
    ),
    "level_mismatch_fix": ("请选用与学校层次相同的专业目录代码", "Use a major code of the school's own level"),
    # ---- outcomes
    "import_checked": (
        "校验通过，未写入（--dry-run）{table}：{rows} 行；导入时将新增 {inserted}、更新 {updated}、未变 {unchanged}，用时 {seconds:.2f} 秒",
        ("Checked, nothing written (--dry-run) {table}: {rows} rows; an import would add {inserted}, update {updated}, "
        "leave {unchanged} unchanged ({seconds:.2f} s)"),
    ),
    "import_done": (
        "已导入 {table}：{rows} 行（新增 {inserted}，更新 {updated}，未变 {unchanged}），用时 {seconds:.2f} 秒",
        "Imported {table}: {rows} rows ({inserted} new, {updated} updated, {unchanged} unchanged) in {seconds:.2f} s",
    ),
    "export_done": ("已导出 {table}：{rows} 行 → {path}", "Exported {table}: {rows} rows → {path}"),
    "template_done": ("已生成模板：{path}", "Template written: {path}"),
    "db_upgraded": ("数据库已升级到最新版本：{url}", "Database upgraded to the latest revision: {url}"),
    "db_downgraded": ("数据库已降级到：{revision}", "Database downgraded to: {revision}"),
    "demo_loaded": ("演示区域“郑州”已载入：{url}", "Demo region 郑州 loaded: {url}"),
    "demo_kept": ("您导入的 {rows:,} 行数据保持不变（{tables}）", "The {rows:,} rows you imported are unchanged ({tables})"),
    "demo_not_empty": (
        "数据库已有 {rows:,} 行数据，未载入演示区域（数据保持不变）",
        "The database already holds {rows:,} rows: the demo region was not loaded (nothing changed)",
    ),
    "demo_reset_confirm": (
        "将删除 {url} 中全部 {rows:,} 行数据（其中您导入的 {user_rows:,} 行）后载入演示区域，且无法恢复。继续吗？",
        "This deletes all {rows:,} rows in {url} ({user_rows:,} of them yours) and loads the demo; it cannot be undone. Go on?",
    ),
    "demo_password_unchanged": ("已有账号，密码未改（--reset 可重置）", "exists; password unchanged (--reset renews it)"),
    "generated_mark": ("【生成数据】", "[generated]"),
    "real_mark": ("真实数据", "real data"),
    "no_results": ("没有找到匹配“{query}”的结果", "Nothing matches '{query}'"),
    "unknown_catalog_version": (
        "未知的目录版本：{version}（可用：2021、current）",
        "Unknown catalogue version: {version} (2021 or current)",
    ),
    "db_unreachable": ("无法连接数据库：{url}（{detail}）", "Cannot connect to the database: {url} ({detail})"),
    "db_not_migrated": (
        "数据库尚未初始化，请先运行 `silian db upgrade`",
        "The database is not initialised: run `silian db upgrade` first",
    ),
}


def t(message_key: str, /, *, in_lang: str | None = None, **values: object) -> str:
    """The message ``message_key`` in ``in_lang`` (default: the current language), formatted with ``values``."""
    zh, en = MESSAGES[message_key]
    text = en if (in_lang or current_lang.get()) == "en" else zh
    return text.format(**values) if values else text


def register_messages(extra: dict[str, tuple[str, str]]) -> None:
    """Add a module's own (zh, en) messages; a key already taken by different text is an error."""
    for key, pair in extra.items():
        if key in MESSAGES and MESSAGES[key] != pair:
            raise ValueError(f"message key {key!r} is already registered with different text")
        MESSAGES[key] = pair
