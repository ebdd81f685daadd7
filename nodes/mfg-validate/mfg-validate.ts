// Validates msg.payload against its catalog schema version or a custom schema.
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { CustomValidator, EventValidator, ValidationResult } from '../../lib/validation';
import { registerCatalogRoute } from '../shared/catalog-route';
import { Msg, onInput, StatusThrottle } from '../shared/red';

interface ValidateDef extends NodeDef {
  schemaFrom: 'catalog' | 'custom';
  customSchema: string;
  customTarget: 'data' | 'payload';
  maxBytes: number | string;
}

export = (RED: NodeAPI) => {
  registerCatalogRoute(RED);

  function MfgValidate(this: Node, config: ValidateDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const status = new StatusThrottle(node);
    const maxBytes = Number(config.maxBytes) > 0 ? Number(config.maxBytes) : 256 * 1024;
    const validator = new EventValidator({ maxBytes });
    let custom: CustomValidator | undefined;
    let configError: string | undefined;
    if (config.schemaFrom === 'custom') {
      try {
        custom = new CustomValidator(JSON.parse(config.customSchema || '{}'), validator);
      } catch (err) {
        configError = `custom schema is not usable: ${(err as Error).message}`;
        node.error(`mfg-validate: ${configError}`);
        node.status({ fill: 'red', shape: 'ring', text: 'bad custom schema' });
      }
    }
    let valid = 0;
    let invalid = 0;
    const invalidWired = () => Array.isArray((node as unknown as { wires: string[][] }).wires?.[1]) && (node as unknown as { wires: string[][] }).wires[1].length > 0;

    onInput(node, (msg, send, done) => {
      if (configError) throw new Error(`mfg-validate: ${configError}`);
      const r: ValidationResult = custom ? custom.validate(msg.payload, config.customTarget || 'data') : validator.validate(msg.payload);
      if (r.valid) {
        valid++;
        msg.payload = r.event;
        delete (msg as Msg).validationErrors;
        send([msg, null]);
      } else {
        invalid++;
        (msg as Msg).validationErrors = r.errors;
        const reason = r.errors.map((e) => `${e.path} ${e.message}`).join('; ');
        // Nothing is lost: with no wire on the invalid output the msg goes to Catch.
        if (invalidWired()) send([null, msg]);
        else done(new Error(`mfg-validate: invalid event: ${reason}`));
      }
      status.set(() => ({ fill: invalid ? 'yellow' : 'green', shape: 'dot', text: `${valid} valid, ${invalid} invalid` }));
    });
    node.on('close', () => status.stop());
  }
  RED.nodes.registerType('mfg-validate', MfgValidate);
};
