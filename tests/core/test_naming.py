"""Name derivation from labels (pinyin, snake_case), search initials and class names."""

import pytest

from core.naming import derive_name, pascal_case, pinyin_initials


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("预约记录", "yu_yue_ji_lu"),
        ("Work Order", "work_order"),
        ("VIP 客户", "vip_ke_hu"),
        ("客户来源", "ke_hu_lai_yuan"),
        ("workOrder", "work_order"),
        ("HTTPServer", "http_server"),
        ("Drop-off time", "drop_off_time"),
        ("  Full   name  ", "full_name"),
        ("Line 2 total", "line_2_total"),
        ("肉毒素", "rou_du_su"),
        ("婚否", "hun_fou"),
        ("!!!", ""),
    ],
)
def test_derive_name(label, name):
    assert derive_name(label) == name


def test_derive_name_is_deterministic_and_tone_less():
    assert derive_name("重量") == derive_name("重量")
    assert derive_name("绿色") == "lv_se"


@pytest.mark.parametrize(
    ("label", "initials"),
    [("预约记录", "yyjl"), ("Work Order", "wo"), ("VIP 客户", "vkh"), ("", "")],
)
def test_pinyin_initials(label, initials):
    assert pinyin_initials(label) == initials


@pytest.mark.parametrize(
    ("name", "cls"),
    [("work_order", "WorkOrder"), ("yu_yue_ji_lu", "YuYueJiLu"), ("a", "A"), ("line_2", "Line2")],
)
def test_pascal_case(name, cls):
    assert pascal_case(name) == cls
