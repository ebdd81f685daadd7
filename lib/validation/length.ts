// maxLength and minLength as the standard counts them (code points, like ajv's own), but
// without walking the string where its UTF-16 length decides already: a string never has
// more code points than code units, nor fewer than half as many. Every id, code and name
// of every event has such a limit, and ajv counts each one character by character.
import type Ajv2020 from 'ajv/dist/2020';
import { _ } from 'ajv/dist/compile/codegen';
import { useFunc } from 'ajv/dist/compile/util';
import ucs2length from 'ajv/dist/runtime/ucs2length';
import limitLength from 'ajv/dist/vocabularies/validation/limitLength';

export function addQuickLengths(ajv: Ajv2020): void {
  for (const keyword of ['maxLength', 'minLength'] as const) {
    ajv.removeKeyword(keyword);
    ajv.addKeyword({
      keyword,
      type: 'string',
      schemaType: 'number',
      $data: true,
      error: limitLength.error,
      code(cxt) {
        const { data, schemaCode } = cxt;
        const count = useFunc(cxt.gen, ucs2length);
        cxt.fail$data(keyword === 'maxLength'
          ? _`${data}.length > ${schemaCode} && ${count}(${data}) > ${schemaCode}`
          : _`${data}.length < 2 * ${schemaCode} && ${count}(${data}) < ${schemaCode}`);
      },
    });
  }
}
