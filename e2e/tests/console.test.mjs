// The staff console in a real browser against the real server and database:
// a hotline agent finds a customer by phone, receives a complaint and
// transfers it, prints the three-copy form; the receiving handler replies
// and closes it; the duty manager sees breached cases on the board.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, api } from "../lib/server.mjs";
import { launch, withScreenshots } from "../lib/browser.mjs";

let server, browser, page;

before(async () => {
  server = await startServer();
  browser = await launch();
  page = await browser.context.newPage();
  page.setDefaultTimeout(15000);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signIn(username) {
  await page.goto(`${server.url}/login`);
  await page.getByLabel(/用户名|Username/).fill(username);
  await page.getByLabel(/密码|Password/).fill("pledge-demo");
  await page.getByRole("button", { name: /登录|Sign in/ }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
}

async function signOut() {
  await page.getByRole("button", { name: /退出|Sign out/ }).click();
  await page.waitForURL(/\/login$/);
}

const shared = {};

test("a hotline agent finds the customer by phone, receives a complaint and transfers it", async () => {
  await withScreenshots(browser.context, "agent", async () => {
    const customers = await api(server.url, "hotline1", "/api/v1/customers?utility=gas&limit=50");
    const customer = customers.items.find((c) => c.phone && c.phone.length === 11);
    assert.ok(customer, "the demo has a gas customer with a mobile phone");
    const me = await api(server.url, "handler1", "/api/v1/me");
    shared.department = me.department_id;

    await signIn("hotline1");
    assert.match(new URL(page.url()).pathname, /^\/intake$/);
    await assert.doesNotReject(page.locator("#who").getByText("热线坐席").waitFor());

    // Search as the agent types the phone number; choose the customer.
    await page.keyboard.press("F2");
    await page.keyboard.type(customer.phone.slice(-8), { delay: 20 });
    const hit = page.locator("button.hit", { hasText: customer.customer_number }).first();
    await hit.click();
    await page.locator(".customer h3", { hasText: customer.account_name }).waitFor();
    assert.equal(await page.inputValue("#customer_id"), String(customer.id));

    // The consent box follows the kind: a reporter (Alt+6, 举报) is told only when they agree.
    assert.equal(await page.isChecked("#notify_consent"), true);
    await page.keyboard.press("Alt+6");
    assert.equal(await page.isChecked("#notify_consent"), false);
    assert.equal(await page.inputValue("#consent_for"), "report");

    // A complaint in a few keystrokes: Alt+5 picks the kind, Ctrl+Enter sends.
    await page.keyboard.press("Alt+5");
    assert.equal(await page.inputValue("#kind"), "complaint");
    assert.equal(await page.isChecked("#notify_consent"), true);
    await page.fill("#subject", "抢修人员未按约定时间上门");
    await page.fill("#description", "用户来电反映预约上午上门检修，至下午仍无人到场");
    await page.focus("#description");
    await page.keyboard.press("Control+Enter");
    await page.waitForURL(/\/cases\/\d+\?new=1$/);
    const due = (await page.textContent("#reply-due")).trim();
    assert.match(due, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, "the deadline to tell the customer");
    shared.number = (await page.textContent("#case-number")).trim();
    shared.caseUrl = page.url().replace(/\?new=1$/, "");

    // The receipt prints the number, the deadline and the hotline.
    const receipt = await browser.context.newPage();
    await receipt.goto(`${shared.caseUrl}/receipt`);
    const slip = await receipt.textContent(".receipt-slip");
    assert.ok(slip.includes(shared.number) && slip.includes(due), slip);
    await receipt.close();

    // Transfer to the gas operations department.
    await page.getByText("转办", { exact: true }).first().click();
    await page.selectOption("#transfer-dept", String(shared.department));
    await page.fill("#transfer-reason", "属燃气运行抢修部职责");
    await page.click("#do-transfer");
    await page.waitForURL(shared.caseUrl);
    assert.equal((await page.textContent("#case-state")).trim(), "已转办");

    // The three-copy complaint form, printable on A4.
    const href = await page.getAttribute("#form-link", "href");
    const form = await browser.context.newPage();
    await form.goto(`${server.url}${href}`);
    assert.equal(await form.locator(".form-copy").count(), 3);
    await form.emulateMedia({ media: "print" });
    assert.equal(await form.locator(".noprint").isVisible(), false, "no buttons on paper");
    await form.close();
    await signOut();
  });
});

test("the receiving handler replies and closes the case", async () => {
  assert.ok(shared.number, "the first scenario created the case");
  await withScreenshots(browser.context, "handler", async () => {
    await signIn("handler1");
    await page.getByRole("link", { name: /本部门/ }).click();
    await page.getByRole("link", { name: shared.number }).click();
    await page.fill("#reply-body", "已与用户重新约定时间，今日已上门修复");
    await page.click("#do-reply");
    await page.waitForURL(shared.caseUrl);
    assert.equal((await page.textContent("#case-state")).trim(), "已答复");
    await page.getByText("办结", { exact: true }).first().click();
    await page.fill("#close-summary", "用户确认已修复");
    await page.click("#do-close");
    await page.waitForURL(shared.caseUrl);
    assert.equal((await page.textContent("#case-state")).trim(), "已办结");
    await signOut();
  });
});

test("the duty manager sees breached cases on the board", async () => {
  await withScreenshots(browser.context, "duty", async () => {
    await signIn("duty1");
    assert.match(new URL(page.url()).pathname, /^\/board$/);
    const breached = page.locator("#breached li.dl-breached");
    await breached.first().waitFor();
    assert.ok((await breached.count()) > 0);
    assert.match(await breached.first().textContent(), /已超时/);
    // The English switch and the large-text mode work from the keyboard too.
    await page.getByRole("link", { name: "English" }).click();
    await page.getByRole("heading", { name: "Duty board" }).waitFor();
    await page.click("#large-text");
    assert.equal(await page.getAttribute("html", "class"), "large");
    await signOut();
  });
});
