/** JOURNEYS.md's example journey, as a document object. */
export function webinarFollowUp(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'nudge/v1',
    kind: 'Journey',
    id: 'webinar-follow-up',
    name: 'Webinar follow-up',
    trigger: {
      event: 'Webinar Attended',
      when: { all: [{ fact: 'lead', path: '$.traits.country', operator: 'in', value: ['CN', 'SG', 'US'] }] },
    },
    reentry: 'P30D',
    exitWhen: [{ reason: 'converted', when: { all: [{ fact: 'lead', path: '$.stage', operator: 'in', value: ['sql', 'opportunity', 'customer'] }] } }],
    start: 'check-fit',
    nodes: {
      'check-fit': {
        type: 'branch',
        branches: [{ when: { all: [{ fact: 'score', path: '$.fit', operator: 'greaterThanInclusive', value: 60 }] }, next: 'call-now' }],
        otherwise: 'wait-2-days',
      },
      'call-now': {
        type: 'suggest',
        action: 'call',
        priority: 'high',
        dueIn: 'P1D',
        expiresIn: 'P5D',
        title: 'Call {{lead.traits.firstName}} about {{trigger.properties.webinar_title}}',
        body: 'They attended and fit the profile (fit score {{score.fit}}).',
        next: 'wait-outcome',
      },
      'wait-outcome': { type: 'wait', until: { event: 'Suggestion Completed' }, timeout: 'P3D', onTimeout: 'recap-email', next: 'done' },
      'wait-2-days': { type: 'wait', for: 'P2D', next: 'recap-email' },
      'recap-email': {
        type: 'suggest',
        action: 'email',
        title: 'Send the recap of {{trigger.properties.webinar_title}}',
        subject: 'Slides from {{trigger.properties.webinar_title}}',
        body: 'Hi {{lead.traits.firstName | "there"}}, here are the slides.',
        next: 'done',
      },
      done: { type: 'exit' },
    },
    ...overrides,
  };
}
