"""`jxjy check` on each sample ledger under examples/: the Chinese report states the right numbers."""

import json

import pytest

from generator.cli.main import main

SAMPLES = {
    "chengdu-teachers": ("chengdu-teachers/2018", "2018-07-31"),
    "zhengzhou-education": ("zhengzhou-education/2021", "2021-12-20"),
    "guangzhou-cycle": ("guangzhou-cycle/2016", "2016-05-20"),
    "guangdong": ("guangdong/2018", "2019-12-31"),
    "guangdong-accounting": ("guangdong-accounting/2018", "2019-12-31"),
}


def check(capsys, name: str, *extra: str) -> str:
    """The report (or JSON) of a sample; the exit status says whether a requirement failed (1) or none did (0:
    met, or still in progress before its deadline)."""
    policy, as_of = SAMPLES[name]
    status = main(["check", policy, f"examples/{name}-sample.yaml", "--as-of", as_of, "--json"])
    result = json.loads(capsys.readouterr().out)
    met = all(r["state"] != "failed" for p in result["periods"].values() for r in p["requirements"].values()) and \
        all(c["state"] != "failed" for c in result["checks"].values())
    assert status == (0 if met else 1)
    assert main(["check", policy, f"examples/{name}-sample.yaml", "--as-of", as_of, *extra]) == status
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_sample_is_a_clean_ledger(capsys, name):
    result = json.loads(check(capsys, name, "--json"))
    assert result["errors"] == []
    assert result["periods"]


def test_chengdu_sample(capsys):
    out = check(capsys, "chengdu-teachers")
    assert "== 2017—2018学年（2017-08-01 至 2018-07-31）==" in out
    assert "合计：79 学分" in out
    # on the registration deadline itself the year is still running: 进行中, with the notice's own deadline
    assert ("2017—2018学年 灵活性培训进行中，还差 1 学分（截止 2018年7月31日）——2017～2018学年度学分登记截止"
            "（成教继（2018）1号 三（三）2）") in out
    assert "  灵活性培训  24    23    进行中  1     2018-07-31" in out
    assert "第 5 条 继教网提交读书笔记 2018-05-06：「继教网提交读书笔记」超出上限：2017—2018学年合计 9 学分，只计 8 学分" in out
    assert "微师培专项培训（微课学习观课）：8 学时 → ⌊8/3⌋ = 2 学分（成教继（2018）1号 二（三）1（2）第三）" in out
    assert "继教网提交读书笔记：合计 9 学分，超过每学年上限 8 学分，计 8 学分" in out


def test_zhengzhou_sample(capsys):
    out = check(capsys, "zhengzhou-education")
    assert "== 2021年度（2021-01-01 至 2021-12-31）==" in out
    assert "合计：96 学时" in out
    assert "公需科目必修课：24 学时" in out
    # the make-up learning of 2021-05-18 declared for 2020 does not count for 2020's assessment
    assert "2021-05-18 完成的补学申报计入2020年度，补学学时不计入2020年度的考核，本条不计（郑教明电〔2021〕407号 五）" in out
    # 2020 is before this edition's window: its shortfall has no deadline from this notice, and the report says so
    assert "2020年度 专业科目未达标，还差 20 学时\n" in out
    assert "2020年度有 1 条记录早于本版本适用期（2021-01-01 起），按本版本的规则折算，仅供参考" in out
    assert "第 5 条 公需科目选修课 2021-04-28：考试未合格（或未注明合格），不计入" in out
    # the elective course without a passed exam is not registered
    assert "公需科目选修课：考试未合格（或未注明合格），不计入（郑教明电〔2021〕407号 四（二））" in out
    # 96 > 90: the excess does not carry into 2022
    assert "2021年度合计 96 学时，超出年度总学时要求 6 学时；超出部分不结转下一年（郑教明电〔2021〕407号 四（一））" in out
    assert "2021年度 " not in out.split("== 还差 ==")[1].split("==")[0]  # 2021 has no shortfall


def test_guangzhou_sample(capsys):
    out = check(capsys, "guangzhou-cycle")
    assert "继续教育周期验证（2011、2012、2013、2014、2015）：达标" in out
    assert "现职称取得于 2011-07-01，申请日期 2016-05-20，验证周期为 2011年度、2012年度、2013年度、2014年度、2015年度" in out
    assert "申请当年（2016年度）申请日前完成的 42 学时 一并计入" in out
    assert "周期总学时：要求不少于 360 学时，实际 361 学时，达标" in out
    assert "公需科目（2012—2015年度）：4 个周期 × 18 = 72 学时" in out
    assert "课程「专业技术人员创新能力」重复选学，只计一次，本条不计" in out
    assert "学历教育：合计 80 学时，超过每年上限 72 学时，计 72 学时" in out
    assert "学术会议、学术讲座、学术访问等：1.5 天 × 6 = 9 学时" in out


def test_guangzhou_sample_applied_after_june_30(capsys):
    assert main(["check", "guangzhou-cycle/2016", "examples/guangzhou-cycle-sample.yaml", "--as-of", "2016-07-15"]) == 1
    out = capsys.readouterr().out
    assert "继续教育周期验证（2012、2013、2014、2015、2016）：未达标" in out
    assert ("继续教育周期验证 周期总学时未达标，还差 47 学时（截止 2016年6月30日 已过）——"
            "在“系统”中完成继续教育周期验证申请（原则上）（穗人社函〔2016〕755号 二（二））") in out


def test_guangdong_sample(capsys):
    out = check(capsys, "guangdong")
    # the seed's certificate screen: 2018 公需 18/18, 专业 0/42, 选修 0/12 → 不通过
    assert "公需课在线学习：2019-04-04 完成的学习按申报计入2018年度（继续教育管理系统：继续教育记录界面）" in out
    assert "2018年度 年度认证：不通过（年度总学时、专业科目、选修科目未达标）" in out
    assert "2018年度 专业科目未达标，还差 42 学时（截止 2018年12月31日 已过）" in out
    assert "2018年度 选修科目未达标，还差 12 学时（截止 2018年12月31日 已过）" in out
    assert "2019年度 年度认证：通过" in out
    assert "  年度认证：不通过" in out and "  年度认证：通过" in out


def test_guangdong_accounting_sample(capsys):
    out = check(capsys, "guangdong-accounting")
    assert "合计：90 学分" in out
    # on 2019-12-31 the year is still running
    assert "2019年度 年度总学分进行中，还差 12 学分（截止 2019年12月31日）" in out
    assert "2019年度 专业科目进行中，还差 12 学分（截止 2019年12月31日）" in out
    assert "  年度认证：进行中" in out
    assert "选修" not in out.split("== 计算说明 ==")[0]  # no personal electives in the accounting variant
    assert "2018年度 年度认证：通过" in out
