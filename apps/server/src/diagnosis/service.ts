/**
 * Diagnosis on the server: a case given whole (integrations, the CLI's twin), or a case the platform
 * assembles for one of the actor's terminals from stored telemetry, events and transactions.
 */
import type { DiagnosisCase, DiagnosisCaseInput, DiagnosisResult, Language, TerminalDiagnosisRequest, TroubleshootRequest } from '@poscare/contracts';
import { diagnoseCase, loadKnowledge, parseCase, SYMPTOMS, symptomReport, troubleshoot, type Knowledge } from '@poscare/diagnosis';
import { errors } from '../errors/errors.js';
import { type Actor, assertCan } from '../access/actor.js';
import type { AppContext } from '../platform/context.js';
import { TerminalService } from '../terminals/service.js';
import { buildTerminalCase, type TerminalRow } from './repository.js';

export class DiagnosisService {
  private terminals: TerminalService;
  readonly knowledge: Knowledge;

  constructor(private ctx: AppContext) {
    this.terminals = new TerminalService(ctx);
    this.knowledge = loadKnowledge();
  }

  run(actor: Actor, c: DiagnosisCase): DiagnosisResult {
    assertCan(actor, 'diagnosis:run');
    // Fastify already validated the body against the same schema.
    return diagnoseCase(c, { knowledge: this.knowledge });
  }

  async terminal(actor: Actor, terminalId: string, req: TerminalDiagnosisRequest, callerLang: Language) {
    const lang = req.lang ?? callerLang;
    const assembled = await this.assemble(actor, terminalId, lang);
    const now = this.ctx.clock.now();
    if (req.report) assembled.report = { text: req.report, source: req.source ?? (actor.role === 'merchant' ? 'merchant' : 'agent'), at: now.toISOString() };
    if (req.answers) assembled.answers = req.answers;
    const c = parseCase(assembled);
    return { case: c, result: diagnoseCase(c, { knowledge: this.knowledge }), knowledgeVersion: this.knowledge.version };
  }

  symptoms(actor: Actor, lang: Language) {
    assertCan(actor, 'diagnosis:run');
    return SYMPTOMS.map((s) => ({ id: s.id, label: lang === 'en-US' ? s.en : s.zh }));
  }

  /** One step of the guided troubleshooter for a terminal the actor may see. */
  async troubleshoot(actor: Actor, terminalId: string, req: TroubleshootRequest, callerLang: Language) {
    if (!SYMPTOMS.some((s) => s.id === req.symptom)) throw errors.validation([{ path: 'body.symptom', id: 'diagnosis.unknown_symptom', params: { symptom: req.symptom } }]);
    const lang = req.lang ?? callerLang;
    const assembled = await this.assemble(actor, terminalId, lang);
    const text = symptomReport(req.symptom, lang, req.text);
    if (text) assembled.report = { text, source: actor.role === 'merchant' ? 'merchant' : 'agent', at: this.ctx.clock.now().toISOString() };
    if (req.answers) assembled.answers = req.answers;
    const { step, result } = troubleshoot(assembled, { knowledge: this.knowledge, symptom: req.symptom });
    return { step, result, caseId: result.caseId };
  }

  /** The case for one of the actor's terminals, from stored data; another tenant's terminal is "not found". */
  private async assemble(actor: Actor, terminalId: string, lang: Language): Promise<DiagnosisCaseInput> {
    assertCan(actor, 'diagnosis:run');
    await this.terminals.get(actor, terminalId);
    const now = this.ctx.clock.now();
    return this.ctx.db.rawTransaction(async (tx) => {
      const [term] = await tx.query<TerminalRow>(
        'SELECT id, org_id, merchant_id, site_id, vendor, model, os_version, app_version, connectivity, created_at FROM terminals WHERE id = $1',
        [terminalId],
      );
      return buildTerminalCase(tx, term!, now, lang);
    });
  }
}
