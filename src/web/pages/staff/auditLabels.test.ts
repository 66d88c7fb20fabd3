import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COUNTER_TRANSITIONS } from '../../../core/counter.js';
import { TRANSITIONS } from '../../../core/workflow.js';
import { ACTION_LABELS, actionLabel, actorText, auditDetails } from './auditLabels.js';

const SERVER = fileURLToPath(new URL('../../../server', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.ts$/.test(n) && !/\.test\.ts$/.test(n) ? [p] : [];
  });
}

/**
 * Every action code the server writes to the audit log: the string literals in the `action: …` of each
 * auditRepository.record({ … }) call in its source, and those handed to a module's `audit(…)` helper (tests
 * excluded; order events have their own table).
 */
function serverActionCodes(): Set<string> {
  const codes = new Set<string>();
  for (const f of sources(SERVER)) {
    const text = readFileSync(f, 'utf8');
    for (const call of text.matchAll(/auditRepository\.record\(/g)) {
      const args = text.slice(call.index, call.index + 800);
      const action = /\baction:\s*([^,\n}]+)/.exec(args);
      for (const lit of action?.[1]!.matchAll(/'([a-z]+\.[a-z_]+)'/g) ?? []) codes.add(lit[1]!);
    }
    // A module's own audit(…) helper over auditRepository.record (modules/tokens/unlock.ts): its action literals.
    for (const call of text.matchAll(/\bawait audit\(([^;]*?)\);/gs))
      for (const lit of call[1]!.matchAll(/'([a-z]+\.[a-z_]+)'/g)) codes.add(lit[1]!);
  }
  return codes;
}

describe('audit labels', () => {
  it('has a Chinese label for every action code the server writes', () => {
    const codes = serverActionCodes();
    expect(codes.size).toBeGreaterThan(10);
    expect([...codes].filter((c) => !ACTION_LABELS[c])).toEqual([]);
    for (const c of codes) expect(actionLabel(c)).toMatch(/[\u4e00-\u9fff]/);
  });

  it('has a Chinese label for every workflow step (the engine writes `order.<action>` and `counter.<action>`)', () => {
    const codes = [...TRANSITIONS.map((t) => `order.${t.action}`), ...COUNTER_TRANSITIONS.map((t) => `counter.${t.action}`)];
    expect(codes.filter((c) => !ACTION_LABELS[c])).toEqual([]);
  });

  it('labels the codes named in the requirement', () => {
    expect(actionLabel('organization.register')).toBe('注册');
    expect(actionLabel('organization.rename')).toBe('更正单位名称');
    expect(actionLabel('some.unknown')).toBe('some.unknown');
    expect(actionLabel('seal.make')).toBe('制作电子签章');
    expect(auditDetails('seal.download', { esId: 'CD1' })).toEqual([{ label: '印章编号', value: 'CD1' }]);
  });

  it('shows a rename as 原名称 / 新名称 / 原因, in that order', () => {
    expect(auditDetails('organization.rename', { from: '甲公司', to: '乙公司', reason: '执照变更' })).toEqual([
      { label: '原名称', value: '甲公司' },
      { label: '新名称', value: '乙公司' },
      { label: '原因', value: '执照变更' },
    ]);
    expect(auditDetails('staff.create', { username: 'wang', displayName: '王', roles: ['预审', '受理'] })).toContainEqual({
      label: '角色',
      value: '预审、受理',
    });
    expect(auditDetails('organization.view', {})).toEqual([]);
    expect(auditDetails('organization.rename', null)).toEqual([]);
  });

  it('shows what a retention purge removed', () => {
    expect(
      auditDetails('retention.purge', {
        orderNos: ['202001010000001'],
        counterOrderNos: [],
        serials: ['7a3f'],
        retainUntil: '2030-01-01T00:00:00.000Z',
        files: 3,
      }).map((x) => x.label),
    ).toEqual(['订单编号', '证书序列号', '保存至', '清除的文件']);
    expect(
      auditDetails('retention.audit_cut', { fromSeq: 0, throughSeq: 40, rows: 40, horizon: '2021-01-01T00:00:00.000Z' }),
    ).toContainEqual({
      label: '清除范围',
      value: '第 1–40 条',
    });
  });

  it('names the actor, or the kind of actor when there is no name', () => {
    expect(actorText({ actorType: 'staff', actorName: '张三' })).toBe('张三');
    expect(actorText({ actorType: 'org', actorName: '江西某某有限公司' })).toBe('江西某某有限公司（申请单位）');
    expect(actorText({ actorType: 'staff', actorName: null })).toBe('工作人员');
    expect(actorText({ actorType: 'anonymous', actorName: null })).toBe('未登录访客');
    expect(actorText({ actorType: 'system', actorName: null })).toBe('系统（命令行）');
  });
});
