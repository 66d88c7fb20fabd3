import { AGREEMENT, CIRCLED } from '../../../../core/content/agreement.js';

/** The full user agreement in a scrollable box, for reading before ticking 我已阅读并同意. */
export function AgreementBox() {
  return (
    <div className="agreement-box" tabIndex={0} role="document" aria-label={AGREEMENT.title} data-testid="agreement-box">
      <h3>{AGREEMENT.title}</h3>
      {AGREEMENT.preamble.map((p) => (
        <p key={p} className="preamble">
          {p}
        </p>
      ))}
      {AGREEMENT.sections.map((s) => (
        <section key={s.heading}>
          <h4>{s.heading}</h4>
          <ol>
            {s.clauses.map((c, i) => (
              <li key={c.text}>
                <span className="num">{i + 1}、</span>
                <div>
                  {c.text}
                  {c.items && (
                    <ol>
                      {c.items.map((it, j) => (
                        <li key={it}>
                          <span className="num">{CIRCLED[j]}</span>
                          <span>{it}</span>
                        </li>
                      ))}
                    </ol>
                  )}
                </div>
              </li>
            ))}
          </ol>
        </section>
      ))}
    </div>
  );
}
