"""Staff import pages (/households/import/, /cadres/import/): the office uploads an XLSX or CSV file,
the import runs as a job (eager here, on commit) through the admin's resources, and /jobs/<pk>/
shows the counts or every error by Excel line, column and a Chinese message. One bad row imports
nothing; rows may only touch the office's own township; only the starter sees the job."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from cadres.models import Cadre, Household
from cadres.services.imports import import_job_run
from core.models import JobRun
from tests import factories as f
from tests.helpers import assert_num_queries, page_client
from tests.spreadsheets import HOUSEHOLD_HEADERS, XLSX_MIME, xlsx


def upload(client, path, content, name="农户.xlsx", capture=None):  # type: ignore[no-untyped-def]
    file = SimpleUploadedFile(name, content, content_type=XLSX_MIME)
    if capture is None:
        return client.post(path, {"file": file})
    with capture(execute=True):
        return client.post(path, {"file": file})


def stored_files() -> list[str]:
    return default_storage.listdir("imports")[1] if default_storage.exists("imports") else []


def other_office(world):  # type: ignore[no-untyped-def]
    return f.CadreFactory(township=world.other_township, name="外镇党政办", user__username="office2",
                          user__groups=["office"])


# --- success ----------------------------------------------------------------------------------------


def test_office_imports_households_and_the_job_page_shows_the_counts(world, django_capture_on_commit_callbacks):
    # given the office (no admin access) and a file of two new households and one known household
    assert not world.office.user.is_staff
    content = xlsx(HOUSEHOLD_HEADERS, [
        ["东河村", "", "王大", 4, 13800001111, "脱贫户、党员户"],
        ["V003", None, "王二", 3, None, None],
        ["东河村", "", "张三", 5, "13812345678", ""],  # world.h1: updated, not duplicated
    ])
    before = Household.objects.count()
    client = page_client(world.office.user)

    # when they upload it
    response = upload(client, "/households/import/", content, capture=django_capture_on_commit_callbacks)

    # then the job ran and its page shows two created, one updated
    job = JobRun.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/jobs/{job.pk}/")
    assert (job.name, job.status, job.progress, job.started_by) == ("cadres.import", "succeeded", 100,
                                                                   world.office.user)
    assert job.params["result"] == {"created": 2, "updated": 1}
    assert job.message == "导入完成：新增2条，更新1条。"
    assert Household.objects.count() == before + 2
    wang = Household.objects.get(head_name="王大")
    assert (wang.village, wang.members, wang.phone) == (world.v1, 4, "13800001111")
    assert sorted(t.name for t in wang.tags.all()) == ["党员户", "脱贫户"]
    world.h1.refresh_from_db()
    assert world.h1.members == 5
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "已完成" in page and "导入完成：新增2条，更新1条。" in page and "农户.xlsx" in page
    assert 'http-equiv="refresh"' not in page  # finished: no more refreshing
    # and the uploaded file (personal data) is gone
    assert stored_files() == []


def test_office_imports_cadres_from_a_csv_file(world, django_capture_on_commit_callbacks):
    content = "姓名,职务,所在站办所,电话\n新干部,机关干部,财政所,13900002222\n".encode("utf-8-sig")
    client = page_client(world.office.user)

    upload(client, "/cadres/import/", content, name="干部.csv", capture=django_capture_on_commit_callbacks)

    job = JobRun.objects.get()
    assert (job.status, job.params["result"], job.params["kind"]) == ("succeeded", {"created": 1, "updated": 0},
                                                                     "cadres")
    cadre = Cadre.objects.get(name="新干部")
    assert (cadre.township, cadre.unit, cadre.phone) == (world.township, world.unit2, "13900002222")


# --- errors -----------------------------------------------------------------------------------------


def test_a_bad_row_imports_nothing_and_lists_errors_by_excel_line(world, django_capture_on_commit_callbacks):
    # given a file whose 3rd and 5th lines are wrong (header = line 1), with a blank line between
    content = xlsx(HOUSEHOLD_HEADERS, [
        ["东河村", "", "好户一", 4, "", ""],          # line 2
        ["东河村", "", "坏户", "abc", "", ""],        # line 3: 家庭人口
        [None, None, None, None, None, None],         # line 4: blank, skipped
        ["东河村", "", None, 2, "", ""],              # line 5: 户主姓名 blank
        ["东河村", "", "好户二", 3, "", ""],          # line 6
    ])
    before = Household.objects.count()
    client = page_client(world.office.user)

    upload(client, "/households/import/", content, capture=django_capture_on_commit_callbacks)

    # then nothing at all was imported, and the job lists each error with its line and column
    job = JobRun.objects.get()
    assert Household.objects.count() == before
    assert job.status == "failed"
    assert job.message == "未导入任何数据：文件中有2处错误，请改正后重新上传。"
    errors = job.params["result"]["errors"]
    assert [(e["line"], e["column"], e["value"]) for e in errors] == [(3, "家庭人口", "abc"), (5, "户主姓名", "")]
    assert errors[0]["message"] == "家庭人口应为1到30之间的整数。"
    assert errors[1]["message"] == "此字段不能为空。"
    # and the page shows them as text: the line, the column, what was written, the message
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "<td>3</td><td>家庭人口</td><td>abc</td><td>家庭人口应为1到30之间的整数。</td>" in page
    assert "<td>5</td><td>户主姓名</td><td></td><td>此字段不能为空。</td>" in page
    assert "None" not in page
    assert stored_files() == []


def test_a_file_without_a_required_column_is_refused_as_a_whole(world, django_capture_on_commit_callbacks):
    content = xlsx(["村", "家庭人口"], [["东河村", 3]])
    client = page_client(world.office.user)

    upload(client, "/households/import/", content, capture=django_capture_on_commit_callbacks)

    job = JobRun.objects.get()
    assert job.status == "failed"
    assert job.params["result"]["errors"] == [
        {"line": None, "column": "", "value": "", "message": "缺少必需的列：户主姓名。请使用导出的模板。"}]


def test_a_file_that_is_not_a_table_is_refused_before_any_job(world):
    client = page_client(world.office.user)
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

    response = upload(client, "/households/import/", pdf, name="农户.xlsx")  # named .xlsx, is a PDF

    assert response.status_code == 400
    assert "文件类型不符：只接受 Excel 表格（XLSX）或 CSV 文件。" in response.content.decode()
    assert not JobRun.objects.exists() and stored_files() == []


def test_a_csv_not_in_utf8_and_a_file_too_large_are_refused(world, settings):
    client = page_client(world.office.user)
    gbk = "村,户主姓名\n东河村,王大\n".encode("gbk")

    response = upload(client, "/households/import/", gbk, name="农户.csv")
    assert response.status_code == 400 and "CSV 文件须为 UTF-8 编码" in response.content.decode()

    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    big = ("村,户主姓名\n" + "东河村,王大\n" * 70_000).encode()
    assert len(big) > settings.UPLOAD_MAX_BYTES
    response = upload(client, "/households/import/", big, name="农户.csv")
    assert response.status_code == 400 and "文件过大：最大 1 MB。" in response.content.decode()
    assert not JobRun.objects.exists()


# --- scope and permission ---------------------------------------------------------------------------


def test_rows_of_another_township_are_refused_and_nothing_is_imported(world, django_capture_on_commit_callbacks):
    # given the office of 东河镇, and a file naming 西山镇's village, and 西山镇's household by its number
    content = xlsx(["编号", "村", "户主姓名"], [
        ["", "东河村", "本镇户"],
        ["", "西山村", "外镇户"],
        [world.h_other.pk, "V900", "钱六改"],
    ])
    client = page_client(world.office.user)

    upload(client, "/households/import/", content, capture=django_capture_on_commit_callbacks)

    errors = JobRun.objects.get().params["result"]["errors"]
    assert [(e["line"], e["column"], e["message"]) for e in errors] == [
        (3, "村", "「西山村」不存在或不在您的管理范围内。"),
        (4, "编号", f"编号为「{world.h_other.pk}」的农户不存在或不在您的管理范围内。"),
    ]
    assert not Household.objects.filter(head_name__in=["本镇户", "外镇户", "钱六改"]).exists()
    world.h_other.refresh_from_db()
    assert world.h_other.head_name == "钱六"


def test_a_cadres_row_for_another_townships_code_is_refused(world, django_capture_on_commit_callbacks):
    content = xlsx(["乡镇代码", "姓名", "职务"], [["620002", "越界干部", "机关干部"]])

    upload(page_client(world.office.user), "/cadres/import/", content, name="干部.xlsx",
           capture=django_capture_on_commit_callbacks)

    [error] = JobRun.objects.get().params["result"]["errors"]
    assert (error["line"], error["column"], error["message"]) == (
        2, "乡镇代码", "乡镇代码「620002」不存在或不在您的管理范围内。")
    assert not Cadre.objects.filter(name="越界干部").exists()


@pytest.mark.parametrize("who", ["cadre1", "secretary", "village1", "inspector", "reporter"])
def test_only_the_office_may_import(world, who, django_capture_on_commit_callbacks):
    client = page_client(world.users[who])
    content = xlsx(HOUSEHOLD_HEADERS, [["东河村", "", "王大", 4, "", ""]])

    for path in ("/households/import/", "/cadres/import/", "/households/import/template.xlsx"):
        assert client.get(path).status_code == 404
    response = upload(client, "/households/import/", content, capture=django_capture_on_commit_callbacks)

    assert response.status_code == 404
    assert not JobRun.objects.exists() and not Household.objects.filter(head_name="王大").exists()
    assert "/households/import/" not in client.get("/households/").content.decode()


def test_the_import_link_shows_for_the_office(world):
    client = page_client(world.office.user)
    assert 'href="/households/import/"' in client.get("/households/").content.decode()
    assert 'href="/cadres/import/"' in client.get("/cadres/tree/").content.decode()


def test_only_the_starter_sees_the_job(world, django_capture_on_commit_callbacks):
    # given an import started by 东河镇's office
    content = xlsx(HOUSEHOLD_HEADERS, [["东河村", "", "王大", 4, "", ""]])
    upload(page_client(world.office.user), "/households/import/", content, capture=django_capture_on_commit_callbacks)
    job = JobRun.objects.get()

    # then 西山镇's office, and a cadre of the same township, get a 404 for its page
    for user in (other_office(world).user, world.cadre1.user, world.secretary.user):
        response = page_client(user).get(f"/jobs/{job.pk}/")
        assert response.status_code == 404
        assert "王大" not in response.content.decode()
    # and the starter sees it
    assert page_client(world.office.user).get(f"/jobs/{job.pk}/").status_code == 200


def test_a_job_that_ended_is_not_run_again(world, django_capture_on_commit_callbacks):
    content = xlsx(HOUSEHOLD_HEADERS, [["东河村", "", "王大", 4, "", ""]])
    upload(page_client(world.office.user), "/households/import/", content, capture=django_capture_on_commit_callbacks)
    job = JobRun.objects.get()

    assert import_job_run(job_id=job.pk) == "succeeded"  # a redelivered task

    assert Household.objects.filter(head_name="王大").count() == 1
    job.refresh_from_db()
    assert job.params["result"] == {"created": 1, "updated": 0}


def test_the_import_page_offers_a_template_with_the_columns(world):
    response = page_client(world.office.user).get("/households/import/template.xlsx")

    assert response.status_code == 200 and response["Content-Type"] == XLSX_MIME
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == ["编号", "村", "村民小组", "户主姓名", "家庭人口", "联系电话", "标签", "备注"]


# --- cost -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", [0, 5])
def test_the_import_page_and_the_job_page_cost_a_fixed_number_of_queries(world, jobs):
    for i in range(jobs):
        JobRun.objects.create(name="cadres.import", started_by=world.office.user, status="succeeded",
                              params={"kind": "households", "filename": f"f{i}.xlsx", "result": {"errors": [
                                  {"line": 2, "column": "村", "value": "", "message": "请填写村名称或村代码。"}] * 20}})
    job = JobRun.objects.create(name="cadres.import", started_by=world.office.user,
                                params={"kind": "households", "filename": "x.xlsx"})
    client = page_client(world.office.user)
    client.get("/households/import/")  # the session is loaded once before counting

    # session, user, actor (groups, cadre, units), the recent jobs; the layout's unread count (name: the actor's cadre)
    with assert_num_queries(7):
        assert client.get("/households/import/").status_code == 200
    # session, user, the job; the layout's unread count and name
    with assert_num_queries(5):
        assert client.get(f"/jobs/{job.pk}/").status_code == 200


def test_an_unexpected_crash_ends_the_job_instead_of_leaving_it_running(world, monkeypatch):
    # given an import waiting for the worker
    upload(page_client(world.office.user), "/households/import/", xlsx(HOUSEHOLD_HEADERS, [["东河村", "", "王大", 4, "", ""]]))
    job = JobRun.objects.get()

    # when the import dies of an error nobody foresaw (nothing in the data can cause one, hence the stand-in)
    def crash(*, job_id: int) -> str:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("cadres.services.imports.import_job_run", crash)
    from cadres.tasks import import_table_task

    with pytest.raises(RuntimeError):  # the error still reaches the worker's log
        import_table_task.apply(args=[job.pk])

    # then the job says so, and the page stops waiting
    job.refresh_from_db()
    assert (job.status, job.progress) == ("failed", 100) and "系统错误" in job.message
    assert not Household.objects.filter(head_name="王大").exists()
