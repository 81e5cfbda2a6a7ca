"""Specialty vocabulary for the synthetic cohort (data only; part 1 of 2).

Entries are ``|``-separated strings so that each fits a few short lines; lists inside a field are
``;``-separated. Text lists in triple-quoted strings hold one entry per line. ``generate.py``
parses all of them.

``SPECIALTIES`` entry: ``faculty weight | trainee weight | residency years | specialist noun
| lay names | subspecialties``. Residency years of 0 mark internal-medicine subspecialties
(trainees reach them through an internal medicine residency); general surgery counts its usual
two research years.

``TOPICS`` / ``CROSS_TOPICS`` entry: ``mentor interest | mentor research area | interventions
| mentee-side paraphrases``. Paraphrases are deliberately worded like a student would, avoiding
the mentor-side key nouns where possible, so that retrieval has to bridge vocabulary.
"""

from __future__ import annotations

SPECIALTIES: dict[str, str] = {
    "internal medicine": "34 | 40 | 3 | internist | IM; internal med; general medicine"
    " | hospital medicine; general internal medicine; geriatric medicine",
    "cardiology": "20 | 22 | 0 | cardiologist | cards; heart medicine"
    " | interventional cardiology; electrophysiology; advanced heart failure; cardiac imaging",
    "gastroenterology": "12 | 12 | 0 | gastroenterologist | GI; gut medicine"
    " | hepatology; advanced endoscopy; inflammatory bowel disease",
    "nephrology": "9 | 5 | 0 | nephrologist | nephro; kidney medicine"
    " | transplant nephrology; dialysis; glomerular disease",
    "pulmonary and critical care": "14 | 12 | 0 | pulmonologist and intensivist"
    " | pulm crit; ICU medicine; lung medicine"
    " | critical care medicine; interstitial lung disease; sleep medicine",
    "infectious diseases": "10 | 8 | 0 | infectious diseases physician | ID; infection medicine"
    " | transplant infectious diseases; HIV medicine; hospital epidemiology",
    "endocrinology": "9 | 7 | 0 | endocrinologist | endo; hormone medicine"
    " | diabetes; thyroid disease; bone and mineral metabolism",
    "hematology and oncology": "18 | 16 | 0 | hematologist-oncologist | heme-onc; cancer medicine"
    " | medical oncology; benign hematology; bone marrow transplantation",
    "neurology": "14 | 14 | 4 | neurologist | neuro; brain medicine"
    " | vascular neurology; epilepsy; neuromuscular medicine; movement disorders",
    "psychiatry": "16 | 18 | 4 | psychiatrist | psych; mental health"
    " | child and adolescent psychiatry; addiction psychiatry; consultation-liaison psychiatry",
    "pediatrics": "26 | 26 | 3 | pediatrician | peds; children's medicine"
    " | neonatology; pediatric critical care; pediatric hospital medicine; adolescent medicine",
    "obstetrics and gynecology": "14 | 16 | 4 | obstetrician-gynecologist | OB/GYN; women's health"
    " | maternal-fetal medicine; gynecologic oncology; reproductive endocrinology",
    "general surgery": "18 | 20 | 7 | general surgeon | gen surg; surgery"
    " | trauma and acute care surgery; surgical oncology; colorectal surgery; bariatric surgery",
    "orthopaedic surgery": "12 | 18 | 5 | orthopaedic surgeon | ortho; bone surgery"
    " | sports medicine; adult reconstruction; spine surgery; hand surgery",
    "neurosurgery": "5 | 8 | 7 | neurosurgeon | neurosurg; brain surgery"
    " | cerebrovascular neurosurgery; neurosurgical oncology; spine neurosurgery",
    "emergency medicine": "16 | 20 | 3 | emergency physician | EM; the ER"
    " | emergency ultrasound; toxicology; EMS and prehospital care",
    "family medicine": "18 | 16 | 3 | family physician | family med; primary care"
    " | rural medicine; sports medicine; obstetrics in family medicine",
    "anesthesiology": "14 | 14 | 4 | anesthesiologist | anesthesia; gas"
    " | regional anesthesia; cardiac anesthesiology; pain medicine; obstetric anesthesiology",
    "radiology": "13 | 12 | 6 | radiologist | rads; imaging"
    " | interventional radiology; neuroradiology; breast imaging; body imaging",
    "pathology": "8 | 6 | 4 | pathologist | path; lab medicine"
    " | surgical pathology; hematopathology; cytopathology; transfusion medicine",
    "dermatology": "6 | 14 | 4 | dermatologist | derm; skin medicine"
    " | Mohs surgery; pediatric dermatology; dermatopathology",
    "ophthalmology": "6 | 9 | 4 | ophthalmologist | ophtho; eye surgery"
    " | retina; glaucoma; cornea; oculoplastics",
    "otolaryngology": "6 | 8 | 5 | otolaryngologist | ENT; ear nose and throat"
    " | head and neck surgery; otology; rhinology; laryngology",
    "urology": "6 | 8 | 5 | urologist | uro; urologic surgery"
    " | urologic oncology; endourology; pediatric urology",
    "physical medicine and rehabilitation": "5 | 6 | 4 | physiatrist | PM&R; rehab medicine"
    " | spinal cord injury medicine; brain injury medicine; sports medicine",
    "radiation oncology": "4 | 5 | 5 | radiation oncologist | rad onc; radiation therapy"
    " | stereotactic radiosurgery; pediatric radiation oncology; brachytherapy",
}

CROSS_TOPICS: tuple[str, ...] = (
    "medical education | curriculum design and assessment in medical education"
    " | competency-based assessment; near-peer teaching programs"
    " | teaching other students; becoming a clinician educator; how people learn medicine",
    "global health | global health partnerships and capacity building"
    " | bidirectional exchange programs; task-sharing models"
    " | working abroad in low-income countries; medicine overseas",
    "health equity | structural racism and health disparities"
    " | community-engaged research; social needs screening"
    " | fairness in who gets good care; why some neighborhoods get sicker",
    "quality improvement | quality improvement and patient safety"
    " | plan-do-study-act cycles; root cause analysis"
    " | making hospitals safer; fixing broken processes on the wards",
    "AI in medicine | clinical machine learning and decision support"
    " | large language models; risk prediction models"
    " | computers and chatbots in healthcare; coding projects for doctors",
    "physician wellness | burnout and well-being among physicians"
    " | peer support programs; professional coaching"
    " | not burning out; doctors' own mental health",
    "health policy and advocacy | health insurance coverage and health policy"
    " | Medicaid expansion; legislative advocacy"
    " | changing laws to help patients; the politics of healthcare",
    "clinical ethics | ethics consultation and end-of-life decision-making"
    " | advance directives; ethics committee review"
    " | hard moral questions at the bedside; deciding when to stop treatment",
    "palliative care | serious illness communication"
    " | goals-of-care conversations; early palliative care referral"
    " | talking with dying patients; comfort-focused care",
    "women in medicine | gender equity in academic medicine"
    " | sponsorship programs; parental leave policies"
    " | being a woman in a male-dominated field; being a mom during training",
)

TOPICS: dict[str, tuple[str, ...]] = {
    "internal medicine": (
        "hospital medicine care transitions | reducing readmissions after hospital discharge"
        " | nurse-led discharge phone calls; structured handoff checklists"
        " | making sure people do okay after they go home; why patients bounce back",
        "diagnostic reasoning | cognitive bias in diagnostic error"
        " | case-based reasoning curricula; diagnostic time-outs"
        " | how doctors think through a tricky case; avoiding missed diagnoses",
        "perioperative medicine | preoperative risk assessment for noncardiac surgery"
        " | medical comanagement of surgical patients; preoperative anemia clinics"
        " | getting patients medically ready for an operation; medicine consults on surgery wards",
        "care of multimorbid older adults | deprescribing and polypharmacy"
        " | pharmacist-led medication review; deprescribing protocols"
        " | elderly patients taking way too many pills; juggling lots of chronic conditions",
        "bedside ultrasound in internal medicine | point-of-care ultrasound training for internists"
        " | handheld ultrasound; POCUS credentialing pathways"
        " | scanning patients myself with a pocket probe; hands-on imaging skills",
        "safety-net primary care | chronic disease management in safety-net clinics"
        " | community health worker programs; group medical visits"
        " | helping patients who can't afford care; clinics for uninsured people",
        "hypertension control | population blood pressure management"
        " | home blood pressure telemonitoring; team-based medication titration"
        " | high blood pressure that won't come down; keeping pressures in check at home",
        "high-value care | reducing low-value testing in hospitalized patients"
        " | electronic order-set nudges; Choosing Wisely interventions"
        " | cutting unnecessary tests; what medical bills do to patients",
        "hospital addiction medicine | inpatient addiction consult services"
        " | buprenorphine initiation in hospital; naloxone co-prescribing"
        " | helping admitted patients who use opioids; treating substance use on the wards",
    ),
    "cardiology": (
        "heart failure with preserved ejection fraction | HFpEF phenotyping and exercise physiology"
        " | sacubitril-valsartan; supervised exercise training"
        " | stiff-heart failure where the pump still squeezes normally; HFpEF outcomes;"
        " breathless older patients with a normal echo",
        "atrial fibrillation ablation | catheter ablation outcomes in atrial fibrillation"
        " | pulmonary vein isolation; left atrial appendage occlusion"
        " | fixing irregular heart rhythms with procedures; heart rhythm problems and stroke risk",
        "structural heart disease | transcatheter valve therapy outcomes"
        " | transcatheter aortic valve replacement; transcatheter mitral repair"
        " | replacing heart valves through a catheter; cath lab procedures",
        "preventive cardiology | lipid management and cardiovascular risk prediction"
        " | PCSK9 inhibitors; coronary artery calcium scoring"
        " | preventing heart attacks before they happen; cholesterol and heart risk",
        "cardio-oncology | cardiotoxicity of cancer therapies"
        " | anthracycline cardioprotection; strain echocardiography surveillance"
        " | heart damage from chemotherapy; heart problems in cancer survivors",
        "adult congenital heart disease | long-term outcomes after Fontan palliation"
        " | Fontan surveillance protocols; pediatric-to-adult transition clinics"
        " | grown-ups who were born with heart defects; kids with heart defects growing up",
        "cardiac magnetic resonance | cardiac MRI tissue characterization"
        " | late gadolinium enhancement; stress perfusion imaging"
        " | reading heart scans; seeing scar in the heart muscle on imaging",
        "women's cardiovascular health | sex differences in ischemic heart disease"
        " | coronary microvascular function testing; pregnancy-related cardiovascular risk"
        " | heart attacks in women that look different; heart disease during pregnancy",
    ),
    "gastroenterology": (
        "inflammatory bowel disease | biologic therapy outcomes in Crohn's disease and colitis"
        " | anti-TNF therapy; therapeutic drug monitoring"
        " | chronic gut inflammation in young adults; Crohn's and colitis",
        "advanced endoscopy | endoscopic ultrasound and ERCP outcomes"
        " | EUS-guided drainage; endoscopic submucosal dissection"
        " | scope procedures for the pancreas and bile ducts; high-tech scope work",
        "steatotic liver disease | metabolic dysfunction-associated steatotic liver disease"
        " | noninvasive fibrosis scoring; GLP-1 receptor agonists"
        " | fatty liver; liver scarring from obesity and diabetes",
        "colorectal cancer screening | screening uptake and adenoma detection"
        " | mailed FIT outreach; colonoscopy quality metrics"
        " | getting people to do colon cancer checks; catching bowel cancer early",
        "neurogastroenterology and motility | disorders of gut-brain interaction"
        " | gut-directed hypnotherapy; high-resolution manometry"
        " | irritable bowel; the gut-brain connection; swallowing trouble",
        "gastrointestinal bleeding | risk stratification in upper gastrointestinal bleeding"
        " | Glasgow-Blatchford score; hemostatic powder"
        " | bleeding ulcers; emergencies where patients vomit blood",
        "liver transplantation | alcohol-associated hepatitis and early transplant"
        " | early liver transplant listing; living donor hepatectomy"
        " | giving people new livers; liver failure from drinking",
        "pancreatitis | acute pancreatitis fluid resuscitation"
        " | aggressive versus moderate hydration; pancreatic enzyme replacement"
        " | inflamed pancreas; severe belly pain that lands people in the hospital",
    ),
    "nephrology": (
        "chronic kidney disease | slowing CKD progression"
        " | SGLT2 inhibitors; finerenone"
        " | keeping kidneys working longer; kidney function slowly declining",
        "home dialysis | peritoneal dialysis and home hemodialysis uptake"
        " | urgent-start peritoneal dialysis; home dialysis training"
        " | doing dialysis at home instead of a center; independence with kidney failure",
        "kidney transplantation | transplant access and living donor outcomes"
        " | desensitization protocols; living donor evaluation"
        " | getting a new kidney; organ donation from family members",
        "glomerular disease | podocytopathies and IgA nephropathy"
        " | kidney biopsy classification; complement inhibitors"
        " | immune diseases that attack the kidney filters; protein leaking into urine",
        "acute kidney injury | AKI biomarkers in critical illness"
        " | continuous renal replacement therapy; urinary biomarkers"
        " | kidneys shutting down in the ICU; sudden kidney failure",
        "onconephrology | kidney toxicity of immune checkpoint inhibitors"
        " | checkpoint inhibitor nephritis; tumor lysis prevention"
        " | kidney problems from cancer drugs; cancer patients whose kidneys struggle",
        "electrolyte disorders | hyponatremia management"
        " | urea for SIADH; controlled sodium correction"
        " | salt and water balance problems; low sodium in hospitalized patients",
        "conservative kidney management | shared decision-making about dialysis in older adults"
        " | palliative kidney care; decision aids"
        " | choosing not to start dialysis; end-of-life care for people with failing kidneys",
    ),
    "pulmonary and critical care": (
        "acute respiratory distress syndrome | lung-protective ventilation"
        " | prone positioning; low tidal volume ventilation"
        " | breathing machines for very sick lungs; ICU patients who can't get enough oxygen",
        "sepsis | early sepsis recognition and resuscitation"
        " | balanced crystalloids; sepsis alert algorithms"
        " | severe infections that cause organ failure; catching blood infections early",
        "interstitial lung disease | pulmonary fibrosis progression and antifibrotic therapy"
        " | nintedanib; pirfenidone"
        " | scarring of the lungs; lungs that slowly get stiff",
        "chronic obstructive pulmonary disease | COPD exacerbation prevention"
        " | pulmonary rehabilitation; triple inhaler therapy"
        " | smokers' lung disease; keeping people with emphysema out of the hospital",
        "lung cancer screening | low-dose CT screening and pulmonary nodule management"
        " | navigational bronchoscopy; shared decision-making visits"
        " | spots on the lung found on a CT; finding lung cancer early in smokers",
        "obstructive sleep apnea | sleep-disordered breathing"
        " | CPAP adherence coaching; hypoglossal nerve stimulation"
        " | snoring and stopping breathing at night; sleep problems and daytime tiredness",
        "post-intensive care syndrome | long-term recovery after critical illness"
        " | ICU follow-up clinics; early mobilization"
        " | life after the ICU; how people recover from being critically ill",
        "pulmonary hypertension | pulmonary arterial hypertension risk stratification"
        " | right heart catheterization; prostacyclin therapy"
        " | high pressure in the lung blood vessels; right-sided heart strain",
    ),
    "infectious diseases": (
        "HIV medicine | HIV pre-exposure prophylaxis uptake"
        " | long-acting cabotegravir; same-day antiretroviral therapy start"
        " | HIV prevention pills; living well with HIV",
        "antimicrobial stewardship | reducing inappropriate antibiotic use"
        " | prospective audit and feedback; procalcitonin-guided therapy"
        " | using fewer unnecessary antibiotics; drug-resistant bugs",
        "transplant infectious diseases | infections in solid organ transplant recipients"
        " | CMV prophylaxis; donor-derived infection screening"
        " | infections in people on anti-rejection drugs; immunosuppressed patients getting sick",
        "infection prevention | healthcare-associated infection prevention"
        " | chlorhexidine bathing; central line bundles"
        " | infections people catch in the hospital; keeping germs from spreading on wards",
        "tuberculosis | latent tuberculosis treatment completion"
        " | short-course rifamycin regimens; video directly observed therapy"
        " | TB in immigrant communities; old infections that still matter today",
        "viral hepatitis | hepatitis C elimination"
        " | direct-acting antivirals; point-of-care HCV testing"
        " | curing hep C; testing people who inject drugs for liver viruses",
        "bone and joint infections | prosthetic joint infection management"
        " | oral versus intravenous antibiotics; two-stage revision"
        " | infected hip and knee replacements; infections deep in the bone",
        "travel medicine and emerging infections | surveillance of emerging infections"
        " | pre-travel consultation; arbovirus surveillance"
        " | diseases people pick up abroad; outbreaks and pandemics",
    ),
    "endocrinology": (
        "diabetes technology | automated insulin delivery systems"
        " | closed-loop insulin pumps; continuous glucose monitoring"
        " | insulin pumps and sugar sensors; gadgets for people with diabetes",
        "obesity medicine | incretin-based therapy for obesity"
        " | GLP-1 receptor agonists; tirzepatide"
        " | weight-loss shots; helping people lose weight with medication",
        "thyroid nodules and thyroid cancer | thyroid nodule risk stratification"
        " | ultrasound-guided fine needle aspiration; molecular testing of nodules"
        " | lumps in the neck; neck cancers that may not need an operation",
        "osteoporosis | fracture prevention in osteoporosis"
        " | romosozumab; fracture liaison services"
        " | brittle bones; preventing broken hips in grandparents",
        "adrenal disorders | primary aldosteronism screening"
        " | adrenal vein sampling; aldosterone-renin ratio testing"
        " | hormone causes of high blood pressure; glands on top of the kidneys",
        "pituitary disease | pituitary adenoma outcomes"
        " | transsphenoidal surgery; somatostatin analogs"
        " | brain gland tumors that throw off hormones",
        "transgender endocrine care | gender-affirming hormone therapy"
        " | estradiol dosing; testosterone therapy monitoring"
        " | hormone care for trans patients; LGBTQ+ health",
        "diabetes in pregnancy | gestational diabetes management"
        " | metformin in pregnancy; postpartum glucose screening"
        " | high blood sugar while pregnant; moms with sugar problems",
    ),
    "hematology and oncology": (
        "breast cancer | HER2-positive breast cancer treatment"
        " | antibody-drug conjugates; neoadjuvant chemotherapy"
        " | treating tumors of the breast; targeted drugs for women's cancers",
        "thoracic oncology | targeted therapy in non-small cell lung cancer"
        " | EGFR inhibitors; immune checkpoint inhibitors"
        " | lung tumors with gene mutations; immunotherapy that unleashes the immune system",
        "acute myeloid leukemia | AML treatment in older adults"
        " | venetoclax combinations; measurable residual disease testing"
        " | blood cancers in the elderly; cancers of the bone marrow",
        "allogeneic stem cell transplantation | graft-versus-host disease"
        " | post-transplant cyclophosphamide; ruxolitinib"
        " | stem cell transplant; donor cells attacking the patient",
        "cellular therapy | CAR-T therapy for lymphoma and myeloma"
        " | CD19 CAR-T cells; bispecific antibodies"
        " | engineered immune cells that kill cancer; cutting-edge cancer treatments",
        "venous thromboembolism | anticoagulation and cancer-associated thrombosis"
        " | direct oral anticoagulants; low-molecular-weight heparin"
        " | blood clots in the legs and lungs; blood thinners",
        "sickle cell disease | pain crises and transition of care in sickle cell disease"
        " | hydroxyurea; gene therapy"
        " | inherited blood disorders in young adults; pain crises in the ER",
        "geriatric oncology | geriatric assessment in older adults with cancer"
        " | geriatric assessment-guided treatment; dose-reduced chemotherapy"
        " | frail patients getting chemo; cancer care for grandparents",
        "cancer genetics | hereditary cancer syndromes"
        " | germline testing; cascade testing of relatives"
        " | cancer running in families; BRCA genes",
    ),
    "neurology": (
        "acute ischemic stroke | thrombectomy for large vessel occlusion"
        " | mobile stroke units; tenecteplase"
        " | brain attack emergencies; removing clots from brain arteries",
        "epilepsy | drug-resistant epilepsy surgery evaluation"
        " | responsive neurostimulation; ketogenic diet therapy"
        " | seizures that medicine doesn't control; convulsions in young adults",
        "multiple sclerosis | disease-modifying therapy in multiple sclerosis"
        " | B-cell depleting therapies; MRI lesion monitoring"
        " | the immune system attacking nerves; MS",
        "Parkinson's disease and movement disorders | deep brain stimulation outcomes"
        " | deep brain stimulation; focused ultrasound thalamotomy"
        " | tremors and shaking; brain implants for shaky hands",
        "dementia | early detection of Alzheimer's disease"
        " | amyloid PET; plasma phospho-tau biomarkers"
        " | memory loss; older relatives becoming forgetful",
        "headache medicine | chronic migraine prevention"
        " | CGRP monoclonal antibodies; onabotulinumtoxinA"
        " | migraines; bad headaches that never go away",
        "neuromuscular disease | amyotrophic lateral sclerosis and peripheral neuropathy"
        " | electromyography; antisense oligonucleotides"
        " | nerve and muscle diseases; Lou Gehrig's disease",
        "neurocritical care | prognostication after cardiac arrest"
        " | targeted temperature management; continuous EEG monitoring"
        " | brain injury in the ICU; predicting who wakes up after resuscitation",
    ),
    "psychiatry": (
        "perinatal psychiatry | postpartum depression"
        " | zuranolone; collaborative perinatal care"
        " | new moms with depression; mental health around having a baby",
        "addiction psychiatry | opioid use disorder treatment retention"
        " | buprenorphine; contingency management"
        " | people struggling with drugs and alcohol; recovery from addiction",
        "child and adolescent psychiatry | adolescent depression and suicide prevention"
        " | cognitive behavioral therapy; safety planning interventions"
        " | teens with depression; kids' mental health",
        "first-episode psychosis | early intervention in psychosis"
        " | coordinated specialty care; long-acting injectable antipsychotics"
        " | schizophrenia in young people; hearing voices",
        "interventional psychiatry | neuromodulation for treatment-resistant depression"
        " | transcranial magnetic stimulation; esketamine"
        " | depression that doesn't respond to pills; brain stimulation for mood",
        "consultation-liaison psychiatry | delirium in hospitalized patients"
        " | delirium prevention bundles; collaborative care"
        " | mental health of medically sick patients; confusion in hospitalized elders",
        "trauma and PTSD | posttraumatic stress disorder in veterans"
        " | prolonged exposure therapy; MDMA-assisted therapy"
        " | healing after trauma; veterans' mental health",
        "eating disorders | anorexia nervosa in adolescents"
        " | family-based treatment; medical stabilization"
        " | anorexia; unhealthy relationships with food",
    ),
    "pediatrics": (
        "neonatology | outcomes of extremely preterm infants"
        " | less invasive surfactant administration; delayed cord clamping"
        " | tiny premature babies; the NICU",
        "pediatric asthma | school-based asthma management"
        " | school-based controller therapy; home trigger remediation"
        " | kids with breathing problems; wheezing children",
        "adolescent medicine | confidential adolescent reproductive health care"
        " | long-acting reversible contraception; confidential visit models"
        " | teen health; talking with teenagers about sensitive stuff",
        "developmental and behavioral pediatrics | early autism diagnosis"
        " | developmental screening; telehealth autism evaluation"
        " | autism in toddlers; kids who are slow to talk",
        "pediatric obesity | family-based pediatric weight management"
        " | motivational interviewing; adolescent bariatric surgery"
        " | overweight kids; healthy eating for children",
        "pediatric critical care | pediatric sepsis in the PICU"
        " | fluid resuscitation protocols; PICU early mobility"
        " | critically ill children; the children's ICU",
        "child abuse pediatrics | detection of physical abuse in infants"
        " | sentinel injury screening; skeletal surveys"
        " | child maltreatment; protecting kids at risk",
        "pediatric hospital medicine | high-value inpatient care for bronchiolitis"
        " | high-flow nasal cannula; deimplementation of low-value care"
        " | caring for hospitalized kids; babies with RSV",
        "vaccine hesitancy | parental vaccine hesitancy"
        " | presumptive vaccine recommendations; text message reminders"
        " | parents who are unsure about shots; childhood immunizations",
    ),
    "obstetrics and gynecology": (
        "maternal-fetal medicine | hypertensive disorders of pregnancy"
        " | low-dose aspirin prophylaxis; postpartum blood pressure monitoring"
        " | high-risk pregnancy; preeclampsia",
        "reproductive endocrinology and infertility | IVF outcomes"
        " | single embryo transfer; fertility preservation"
        " | trouble getting pregnant; egg freezing",
        "gynecologic oncology | ovarian cancer surgery and maintenance therapy"
        " | PARP inhibitors; hyperthermic intraperitoneal chemotherapy"
        " | cancers of the female reproductive organs; ovarian tumors",
        "minimally invasive gynecologic surgery | surgical management of endometriosis"
        " | robotic hysterectomy; excision of endometriosis"
        " | painful periods and pelvic pain; robot surgery for women",
        "family planning | contraception access"
        " | immediate postpartum LARC; telehealth medication abortion"
        " | birth control access; reproductive rights",
        "urogynecology | pelvic floor disorders"
        " | midurethral slings; pelvic floor physical therapy"
        " | bladder leakage after childbirth; pelvic organ prolapse",
        "maternal health equity | severe maternal morbidity and racial disparities"
        " | obstetric hemorrhage bundles; doula support programs"
        " | why mothers die in childbirth; Black maternal health",
        "labor and delivery | cesarean delivery rates and labor induction"
        " | elective induction at 39 weeks; trial of labor after cesarean"
        " | childbirth; C-sections",
    ),
}

# People and places --------------------------------------------------------------------------

# fmt: off
FIRST_NAMES: tuple[str, ...] = (
    "Aisha", "Amara", "Adebayo", "Chidi", "Ngozi", "Kwame", "Abena", "Tariq", "Yusuf", "Fatima",
    "Omar", "Layla", "Hana", "Karim", "Leila", "Priya", "Arjun", "Rohan", "Ananya", "Vikram",
    "Meera", "Sanjay", "Kavya", "Nikhil", "Deepa", "Rahul", "Farhan", "Sana", "Imran", "Mei",
    "Wei", "Jun", "Xiaoling", "Hao", "Yan", "Li", "Na", "Kenji", "Yuki", "Haruto", "Sakura",
    "Min-jun", "Ji-woo", "Seo-yeon", "Minh", "Linh", "Thao", "Quang", "Mai", "Bao", "Maria",
    "José", "Carlos", "Lucia", "Alejandro", "Sofia", "Diego", "Valentina", "Mateo", "Camila",
    "Javier", "Gabriela", "Luis", "Paola", "Rafael", "Ana", "João", "Beatriz", "Tomasz",
    "Katarzyna", "Piotr", "Olga", "Dmitri", "Anya", "Ivan", "Elena", "Nikos", "Eleni", "Giulia",
    "Marco", "Francesca", "Luca", "Sean", "Siobhan", "Liam", "Aoife", "Emily", "James", "Sarah",
    "Michael", "Rebecca", "David", "Laura", "Daniel", "Rachel", "Matthew", "Hannah", "Benjamin",
    "Grace", "Nathan", "Claire", "Ethan", "Olivia", "Noah", "Abigail", "Marcus", "Keisha", "Jamal",
    "Tanisha", "Andre", "Monique", "Darnell", "Jasmine", "Malik", "Imani", "Tyrone", "Ebony",
    "Alma", "Rosa", "Miguel", "Esperanza", "Noa", "Avi", "Talia", "Ezra", "Miriam", "Jonah",
    "Tala", "Kai", "Leilani", "Makoa", "Chayton", "Winona", "Dakota", "Aylin", "Emre", "Selin",
    "Amir", "Dariush", "Shirin", "Reza",
)

LAST_NAMES: tuple[str, ...] = (
    "Okafor", "Adeyemi", "Mensah", "Owusu", "Nwosu", "Abiodun", "Bello", "Haile", "Tesfaye",
    "Kamau", "Njoroge", "Diallo", "Traore", "Haddad", "Khalil", "Nasser", "Farouk", "Hussein",
    "Mansour", "Aziz", "Rahman", "Chowdhury", "Siddiqui", "Qureshi", "Malik", "Patel", "Shah",
    "Iyer", "Reddy", "Nair", "Menon", "Gupta", "Sharma", "Desai", "Kulkarni", "Banerjee", "Mehta",
    "Raman", "Kapoor", "Chen", "Wang", "Liu", "Zhang", "Huang", "Lin", "Zhao", "Wu", "Tanaka",
    "Sato", "Nakamura", "Kobayashi", "Kim", "Park", "Lee", "Choi", "Jung", "Nguyen", "Tran",
    "Pham", "Le", "Hoang", "Vu", "Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Perez", "Sanchez", "Ramirez", "Torres",
    "Flores", "Rivera", "Morales", "Ortiz", "Castillo", "Mendoza", "Silva", "Oliveira", "Costa",
    "Kowalski", "Nowak", "Wisniewski", "Ivanova", "Petrov", "Volkov", "Papadopoulos", "Russo",
    "Romano", "Ricci", "Bianchi", "Murphy", "Kelly", "O'Brien", "Walsh", "Byrne", "Smith",
    "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
    "Thomas", "Moore", "Jackson", "White", "Harris", "Martin", "Thompson", "Clark", "Lewis",
    "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams",
    "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner",
    "Parker", "Collins", "Edwards", "Stewart", "Morris", "Rogers", "Cohen", "Levi", "Friedman",
    "Goldberg", "Katz", "Begay", "Yazzie", "Tsosie", "Kahale", "Akana", "Yilmaz", "Demir", "Kaya",
    "Hosseini", "Karimi", "Ahmadi", "Jensen", "Larsen", "Nielsen", "Schmidt", "Müller", "Weber",
    "Fischer", "Novak", "Horvat",
)
# fmt: on

CAMPUSES: tuple[tuple[str, str, int], ...] = (
    ("Chicago, IL (main campus)", "America/Chicago", 46),
    ("Evanston, IL", "America/Chicago", 12),
    ("Pittsburgh, PA", "America/New_York", 12),
    ("Detroit, MI", "America/Detroit", 9),
    ("Denver, CO", "America/Denver", 11),
    ("Sacramento, CA", "America/Los_Angeles", 10),
)
"""Program sites: (location, IANA timezone, share of faculty in percent, roughly)."""

UNDERGRAD_SITES: tuple[tuple[str, str], ...] = (
    ("Urbana, IL", "America/Chicago"),
    ("Madison, WI", "America/Chicago"),
    ("Boulder, CO", "America/Denver"),
)
"""Where premedical students in the pipeline program study."""

SECOND_LANGUAGES: tuple[tuple[str, int], ...] = (
    ("spanish", 30),
    ("mandarin", 9),
    ("hindi", 8),
    ("arabic", 7),
    ("french", 6),
    ("vietnamese", 6),
    ("tagalog", 6),
    ("korean", 5),
    ("urdu", 4),
    ("portuguese", 4),
    ("russian", 3),
    ("gujarati", 3),
    ("cantonese", 3),
    ("polish", 3),
    ("farsi", 3),
    ("yoruba", 2),
    ("amharic", 2),
    ("american sign language", 2),
)
"""Languages besides English, with relative weights."""

TEACHING_ROLES = """
{specialty} clerkship director
associate program director of the {specialty} residency
core faculty member for the {specialty} residency
small-group facilitator for the first-year clinical skills course
simulation center faculty member
faculty advisor for the student {specialty} interest group
fellowship program director
journal club coordinator
learning-community advisor for medical students
anatomy lab instructor
faculty lead for the research scholarly concentration
course director for the second-year organ systems block
director of the sub-internship
member of the medical school admissions committee
"""

TRAINEE_TEACHING_ROLES = """
chief resident
near-peer tutor for board preparation
resident-as-teacher coordinator
small-group facilitator for the first-year clinical skills course
journal club coordinator
student-run free clinic supervisor
"""

HOBBIES = """
runs half-marathons
plays cello in a community orchestra
coaches youth soccer
bakes sourdough bread
restores old bicycles
hikes whenever the weather allows
paints watercolor landscapes
plays pickup basketball
grows tomatoes and peppers in a small backyard garden
reads a lot of science fiction
climbs at the local bouldering gym
cooks elaborate dinners for friends
plays chess online
shoots film photography
sings in a choir
goes fly-fishing in the summer
practices yoga most mornings
collects vinyl records
writes short fiction
cycles to work year-round
plays in a weekend rec hockey league
"""

ORIGINS = """
Lagos
Manila
Houston
Mumbai
rural Iowa
Toronto
Guadalajara
Hanoi
Cairo
Seoul
New Orleans
Tucson
Addis Ababa
the Navajo Nation
Krakow
"""

PRIOR_JOBS = """
a high school chemistry teacher
a paramedic
a software engineer
a Peace Corps volunteer
a professional dancer
a research technician
a newspaper reporter
a pharmacist
an Army medic
"""

FUNDERS = """
an NIH career development award
a departmental pilot grant
a PCORI award
a private foundation grant
an institutional pilot award
a VA merit award
"""

SCHOOLS = """
the University of Michigan
Johns Hopkins
the University of Washington
UCSF
Emory
the University of Pittsburgh
Baylor
Northwestern
the University of Colorado
Vanderbilt
the University of Toronto
Duke
Washington University in St. Louis
"""
