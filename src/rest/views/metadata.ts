// DRF's SimpleMetadata: what OPTIONS says of a serializer's fields (`actions`), derived from
// the same zod declarations the view validates and represents with. The browsable API builds
// its forms from the same description.
import { z } from 'zod';
import { fieldDescriptions, type FieldDescription } from '../fields/index.js';
import type { FieldInfo, SerializerInfo, ViewForm } from '../types.js';
export type { FieldInfo, SerializerInfo } from '../types.js';

/** The schema inside optional/nullable/default wrappers, and what was registered on any layer. */
function describedLayers(schema: z.ZodType): { inner: z.ZodType; description: FieldDescription } {
  let description: FieldDescription = {};
  let current = schema;
  for (;;) {
    description = { ...fieldDescriptions.get(current), ...description };
    const def = current.def as { type: string; innerType?: z.ZodType };
    if (!def.innerType || !['optional', 'nullable', 'default'].includes(def.type)) return { inner: current, description };
    current = def.innerType;
  }
}

/** DRF's field type names, from the JSON schema a field carries (types it cannot tell are registered). */
function typeOf(json: Record<string, unknown>): string {
  if (json.type === 'integer') return 'integer';
  if (json.type === 'number') return 'float';
  if (json.type === 'boolean') return 'boolean';
  if (json.type !== 'string') return 'field';
  switch (json.format) {
    case 'date-time':
      return 'datetime';
    case 'decimal':
      return 'decimal';
    case 'email':
      return 'email';
    default:
      return 'string';
  }
}

/** Django's verbose name from a field name: `created_at` → "Created at"; an AutoField's is "ID". */
function labelOf(name: string): string {
  if (name === 'id') return 'ID';
  const words = name.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function fieldInfo(name: string, schema: z.ZodType, io: 'input' | 'output'): FieldInfo {
  const { inner, description } = describedLayers(schema);
  const json = z.toJSONSchema(inner, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  const maxLength = description.maxLength ?? (typeof json.maxLength === 'number' ? json.maxLength : undefined);
  const writable = io === 'input';
  return {
    type: description.type ?? typeOf(json),
    required: writable && !(schema instanceof z.ZodOptional || schema instanceof z.ZodDefault),
    read_only: !writable,
    label: description.label ?? labelOf(name),
    ...(description.helpText !== undefined ? { help_text: description.helpText } : {}),
    ...(writable && maxLength !== undefined ? { max_length: maxLength } : {}),
  };
}

/**
 * A serializer's fields: those of the representation in its order (read-only unless the input
 * has them too), then the write-only ones. Computed once, when the view is built.
 */
export function serializerInfo(input: z.ZodObject, output: z.ZodObject): SerializerInfo {
  const names = [...Object.keys(output.shape), ...Object.keys(input.shape).filter((name) => !(name in output.shape))];
  return names.map((name) => {
    const writable = input.shape[name] as z.ZodType | undefined;
    return [name, writable ? fieldInfo(name, writable, 'input') : fieldInfo(name, output.shape[name] as z.ZodType, 'output')] as const;
  });
}

const noFields = z.object({});

/**
 * The form of a plain POST view (a serializer that is no model's): its writable fields in order,
 * then the read-only ones it answers with, as DRF lists a serializer's declared fields.
 */
export function postForm(input: z.ZodObject, readOnly: z.ZodObject = noFields): ViewForm {
  return { method: 'POST', fields: [...serializerInfo(input, noFields), ...serializerInfo(noFields, readOnly)] };
}
