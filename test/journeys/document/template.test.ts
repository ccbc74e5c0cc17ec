import { describe, expect, it } from 'vitest';
import type { ParsedTemplate } from '../../../journeys/document/index.ts';
import { parseTemplate, renderTemplate, templateVariables } from '../../../journeys/document/index.ts';

function parsed(text: string): ParsedTemplate {
  const result = parseTemplate(text);
  if (!result.ok) throw new Error(`${text}: ${result.message}`);
  return result.template;
}

function render(text: string, scope: Record<string, unknown>): string {
  return renderTemplate(parsed(text), scope);
}

const scope = {
  lead: { traits: { firstName: 'Ada', employees: 120, vip: true, emptyName: '', languages: ['en', 'fr'], address: { city: 'London' } }, tags: ['vip', 'webinar'] },
  trigger: { properties: { webinar_title: 'Pricing in 2027', speakers: [] } },
  score: { fit: 72 },
};

describe('templates', () => {
  describe('rendering', () => {
    it('replaces variables with the values of the scope', () => {
      expect(render('Call {{lead.traits.firstName}} about {{ trigger.properties.webinar_title }}', scope)).toBe('Call Ada about Pricing in 2027');
    });

    it('writes numbers and booleans as written, and lists joined by commas', () => {
      expect(render('{{score.fit}} / {{lead.traits.employees}} / {{lead.traits.vip}} / {{lead.tags}} / {{lead.traits.languages.1}}', scope)).toBe(
        '72 / 120 / true / vip, webinar / fr',
      );
    });

    it('renders the fallback, or nothing, for a missing, null or empty value', () => {
      expect(render('Hi {{lead.traits.lastName | "there"}}', scope)).toBe('Hi there');
      expect(render('Hi {{lead.traits.emptyName | "there"}}', scope)).toBe('Hi there');
      expect(render('Hi {{account.name}}!', scope)).toBe('Hi !');
      expect(render('[{{trigger.properties.speakers | "no speakers"}}]', scope)).toBe('[no speakers]');
      expect(render('{{lead.traits.firstName | "there"}}', { lead: { traits: { firstName: null } } })).toBe('there');
    });

    it('renders an object as nothing, never [object Object]', () => {
      expect(render('<{{lead.traits.address}}>', scope)).toBe('<>');
    });

    it('reads only own properties: nothing of the prototype is reachable', () => {
      expect(render('{{lead.constructor}}{{lead.traits.toString}}{{lead.__proto__}}', scope)).toBe('');
    });

    it('writes \\{{ as a literal {{, and leaves other braces alone', () => {
      expect(render('\\{{lead.traits.firstName}} is {{lead.traits.firstName}} } }}', scope)).toBe('{{lead.traits.firstName}} is Ada } }}');
    });

    it('keeps text with no variables as it is', () => {
      expect(render('No variables: just text, with "quotes" and a \\ backslash.', {})).toBe('No variables: just text, with "quotes" and a \\ backslash.');
    });

    it('reads escaped quotes in a fallback', () => {
      expect(render('{{lead.traits.nickname | "the \\"boss\\""}}', scope)).toBe('the "boss"');
      expect(render('{{lead.traits.nickname | "a }} b"}}', scope)).toBe('a }} b');
    });
  });

  describe('variables', () => {
    it('lists the variable paths in order', () => {
      expect(templateVariables(parsed('{{lead.traits.firstName}} and {{ score.fit | "?" }} and {{lead.traits.firstName}}'))).toEqual([
        ['lead', 'traits', 'firstName'],
        ['score', 'fit'],
        ['lead', 'traits', 'firstName'],
      ]);
    });
  });

  describe('syntax errors', () => {
    it.each([
      ['Hi {{lead.traits.firstName', 3, '{{ at character 4 is not closed: end the variable with }} (or write \\{{ for a literal {{)'],
      ['Hi {{lead.traits.firstName {{score.fit}}', 3, '{{ at character 4 is not closed before the next {{: end the variable with }}'],
      ['Hi {{}}', 3, '{{}} at character 4 is empty: name a value, like {{lead.traits.firstName}}'],
      ['Hi {{   }}', 3, '{{}} at character 4 is empty: name a value, like {{lead.traits.firstName}}'],
      [
        'Hi {{lead.traits..firstName}}',
        5,
        '"lead.traits..firstName" at character 6 is not a variable path: write names (letters, digits, _ and -) separated by dots, like lead.traits.firstName',
      ],
      ['Hi {{lead.traits.first name}}', 23, 'unexpected "n" in the variable at character 4: a variable is a path like lead.traits.firstName, with an optional fallback like | "there"'],
      ['Hi {{lead.traits["x"]}}', 16, 'unexpected "[" in the variable at character 4: a variable is a path like lead.traits.firstName, with an optional fallback like | "there"'],
      ['Hi {{lead.traits.firstName | there}}', 29, 'the fallback after | at character 30 is not quoted: write a text in double quotes, like | "there"'],
      ["Hi {{lead.traits.firstName | 'there'}}", 29, 'the fallback after | at character 30 is not quoted: write it in double quotes, like | "there"'],
      ['Hi {{lead.traits.firstName | "there}}', 29, 'the fallback text at character 30 is not closed: end it with "'],
      ['Hi {{lead.traits.firstName | "there" | "x"}}', 37, 'unexpected "|" in the variable at character 4: a variable is a path like lead.traits.firstName, with an optional fallback like | "there"'],
      ['{{ lead.run() }}', 11, 'unexpected "(" in the variable at character 1: a variable is a path like lead.traits.firstName, with an optional fallback like | "there"'],
    ])('refuses %j at offset %i', (text, offset, message) => {
      expect(parseTemplate(text)).toEqual({ ok: false, offset, message });
    });
  });
});
